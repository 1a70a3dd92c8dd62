import { randomBytes } from "node:crypto";
import type { Params } from "./faults.js";
import type { Workspace } from "./workspace.js";

/**
 * The response URLs the console hands out with slash commands and button clicks, and what a post
 * to one does, as in Slack: `ephemeral` (the default) shows the message to the person only,
 * `in_channel` posts it for everyone (in the clicked message's thread, if any),
 * `replace_original` / `delete_original` change the clicked message.
 *
 * Bound: at most `Limit` URLs are remembered (the oldest is forgotten first); Slack's own limit
 * is 30 minutes. A post to an unknown URL is recorded and answered `ok` (the tests' URLs are
 * made up), but changes nothing.
 */
export interface ResponseTarget {
  channel: string;
  user: string;
  /** The message a button was clicked on. */
  messageTs?: string;
  threadTs?: string;
}

const Limit = 1000;

export class ResponseUrls {
  readonly #targets = new Map<string, ResponseTarget>();

  /** A new response URL id for this target. */
  issue(target: ResponseTarget): string {
    const id = randomBytes(12).toString("hex");
    this.#targets.set(id, target);
    if (this.#targets.size > Limit) {
      const oldest = this.#targets.keys().next().value;
      if (oldest !== undefined) this.#targets.delete(oldest);
    }
    return id;
  }

  /** Apply a post to `/response/<id>` to the workspace. */
  apply(ws: Workspace, id: string, body: Params, botUserId: string, botId: string): void {
    const t = this.#targets.get(id);
    if (!t) return;
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    const original = t.messageTs ? ws.message(t.channel, t.messageTs) : undefined;
    if (body.delete_original === true && original) {
      ws.deleteMessage(original.channel, original.ts);
      return;
    }
    if (body.replace_original === true && original) {
      ws.updateMessage(original, { text, blocks, edited: true });
      return;
    }
    if (body.response_type === "in_channel") {
      ws.addMessage({ channel: t.channel, threadTs: t.threadTs, user: botUserId, botId, text, blocks });
      return;
    }
    ws.addNotice({ channel: t.channel, threadTs: t.threadTs, user: t.user, text, blocks });
  }
}
