import { type AttachmentRef, type SkippedFile, selectAttachments } from "../slack/attachments.js";
import { SlackFile } from "../slack/native-api.js";
import { slackErrorOf } from "../slack/slack-failure.js";
import type { HandlerDeps } from "./deps.js";
import type { MessageEvent } from "./schemas.js";

/** Default CODETHREAD_MAX_ATTACHMENT_MB (20 MB) in bytes. */
export const DefaultMaxAttachmentBytes = 20 * 1024 * 1024;

export interface SharedFiles {
  accepted: AttachmentRef[];
  skipped: SkippedFile[];
}

/**
 * The files shared with a message, checked against the size and type limits. A `message` event
 * carries them; an `app_mention` carries none, so its message is fetched (one conversations call
 * per mention, none per tool use). A lookup that fails leaves the request without files (logged).
 */
export async function sharedFiles(deps: HandlerDeps, e: MessageEvent): Promise<SharedFiles> {
  let raw: unknown[] = e.files ?? [];
  if (!raw.length && e.type === "app_mention" && deps.native) {
    raw = await deps.native
      .messageFiles({ channel: e.channel, ts: e.ts, threadTs: e.thread_ts })
      .catch((err: unknown) => {
        deps.log.warn({ channel: e.channel, slackError: slackErrorOf(err) }, "could not look up the mention's files");
        return [];
      });
  }
  const files = raw.flatMap((f) => {
    const parsed = SlackFile.safeParse(f);
    return parsed.success ? [parsed.data] : [];
  });
  return selectAttachments(files, deps.maxAttachmentBytes ?? DefaultMaxAttachmentBytes);
}
