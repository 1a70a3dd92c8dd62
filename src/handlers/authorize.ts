import type { Config } from "../config.js";

type Access = Config["access"];

export function isAdmin(access: Access, userId: string): boolean {
  return access.admins.includes(userId);
}

/** Direct-message channel ids start with D; the channel allow-list does not apply to them. */
export function isDirectMessage(channelId: string): boolean {
  return channelId.startsWith("D");
}

export type RunAccess = { ok: true } | { ok: false; reason: "user" | "channel"; message: string };

/**
 * May `userId` start or continue runs in `channelId`? Empty allow-lists allow everyone;
 * admins may always run.
 */
export function mayRun(access: Access, userId: string, channelId: string): RunAccess {
  if (isAdmin(access, userId)) return { ok: true };
  if (access.allowedUsers.length && !access.allowedUsers.includes(userId)) {
    return {
      ok: false,
      reason: "user",
      message:
        "You are not on the list of people who may run agents here. Ask an admin to add you to CODETHREAD_ALLOWED_USERS.",
    };
  }
  if (!isDirectMessage(channelId) && access.allowedChannels.length && !access.allowedChannels.includes(channelId)) {
    return {
      ok: false,
      reason: "channel",
      message:
        "Agents are not enabled in this channel. Use one of the allowed channels, or ask an admin to add this one to CODETHREAD_ALLOWED_CHANNELS.",
    };
  }
  return { ok: true };
}

/** Only the person who asked for a run, or an admin, may cancel it or answer its permission requests. */
export function mayControl(access: Access, userId: string, requesterId: string): boolean {
  return userId === requesterId || isAdmin(access, userId);
}
