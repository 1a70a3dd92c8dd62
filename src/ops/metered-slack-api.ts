import type { PostArgs, SlackApi, ThreadMessage } from "../slack/slack-api.js";
import { countSlackCall } from "./count-slack-call.js";
import type { Metrics } from "./metrics.js";

/**
 * Counts every Slack Web API call — each attempt, under the retries — by method and outcome
 * (ok, error, ratelimited), so /metrics shows 429s per method. Wraps the innermost client.
 */
export class MeteredSlackApi implements SlackApi {
  constructor(
    private readonly inner: SlackApi,
    private readonly metrics: Metrics,
  ) {}

  #count<T>(method: string, call: () => Promise<T>): Promise<T> {
    return countSlackCall(this.metrics, method, call);
  }

  postMessage(a: PostArgs): Promise<{ channel: string; ts: string }> {
    return this.#count("chat.postMessage", () => this.inner.postMessage(a));
  }
  update(a: PostArgs & { ts: string }): Promise<void> {
    return this.#count("chat.update", () => this.inner.update(a));
  }
  postEphemeral(a: { channel: string; user: string; text: string; threadTs?: string }): Promise<void> {
    return this.#count("chat.postEphemeral", () => this.inner.postEphemeral(a));
  }
  uploadFile(a: { channel: string; threadTs?: string; filename: string; content: string; comment: string }) {
    return this.#count("files.uploadV2", () => this.inner.uploadFile(a));
  }
  setStatus(a: { channel: string; threadTs: string; status: string }): Promise<void> {
    return this.#count("assistant.threads.setStatus", () => this.inner.setStatus(a));
  }
  replies(a: { channel: string; ts: string; limit: number }): Promise<ThreadMessage[]> {
    return this.#count("conversations.replies", () => this.inner.replies(a));
  }
  userName(userId: string): Promise<string | undefined> {
    return this.#count("users.info", () => this.inner.userName(userId));
  }
  openDm(userId: string): Promise<string> {
    return this.#count("conversations.open", () => this.inner.openDm(userId));
  }
}
