/**
 * Slack's rate tiers as the stand-in enforces them when asked (`tiers`, `channelTiers`): calls
 * per window per key (a method in a workspace, or a method in one channel). Each key keeps the
 * times of its calls within the last window only, so a key holds at most its limit of entries.
 */

/** Calls per minute Slack allows per workspace for the methods whose limits the bot plans around. */
export const StandardTiers: Record<string, number> = {
  "chat.update": 50,
  "chat.postEphemeral": 100,
  "conversations.replies": 50,
  "conversations.history": 50,
  "agents.sessions.setStatus": 50,
  "chat.startStream": 20,
  "chat.appendStream": 100,
  "chat.stopStream": 20,
};

export class TierWindows {
  #hits = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count a call under `key`; false when the window already holds `limit` calls (the call is not counted). */
  admit(key: string, limit: number): boolean {
    const now = this.now();
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (hits.length >= limit) {
      this.#hits.set(key, hits);
      return false;
    }
    hits.push(now);
    this.#hits.set(key, hits);
    return true;
  }
}
