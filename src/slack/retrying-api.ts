import type { Logger } from "../log.js";
import { DefaultRetryPolicy, type RetryPolicy, retrySlackCall } from "./retry.js";
import type { PostArgs, SlackApi, ThreadMessage } from "./slack-api.js";

export interface RetryingSlackApiOptions {
  log: Logger;
  policy?: Partial<RetryPolicy>;
  /** Aborted: calls stop retrying (their last error is thrown at once). */
  signal?: AbortSignal;
}

/**
 * A SlackApi whose every call is retried per Slack's error kind (retry.ts): for answers, cards,
 * notices and buttons, which must land. Errors that remain are Slack refusing for good (or the
 * retries running out); the caller decides who else to tell.
 */
export class RetryingSlackApi implements SlackApi {
  readonly policy: RetryPolicy;

  constructor(
    readonly inner: SlackApi,
    private readonly o: RetryingSlackApiOptions,
  ) {
    this.policy = { ...DefaultRetryPolicy, ...o.policy };
  }

  #retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retrySlackCall(what, fn, { policy: this.policy, log: this.o.log, signal: this.o.signal });
  }

  postMessage(a: PostArgs): Promise<{ channel: string; ts: string }> {
    return this.#retry("chat.postMessage", () => this.inner.postMessage(a));
  }

  update(a: PostArgs & { ts: string }): Promise<void> {
    return this.#retry("chat.update", () => this.inner.update(a));
  }

  postEphemeral(a: { channel: string; user: string; text: string; threadTs?: string }): Promise<void> {
    return this.#retry("chat.postEphemeral", () => this.inner.postEphemeral(a));
  }

  uploadFile(a: { channel: string; threadTs?: string; filename: string; content: string; comment: string }) {
    return this.#retry("files.uploadV2", () => this.inner.uploadFile(a));
  }

  setStatus(a: { channel: string; threadTs: string; status: string }): Promise<void> {
    return this.#retry("assistant.threads.setStatus", () => this.inner.setStatus(a));
  }

  replies(a: { channel: string; ts: string; limit: number }): Promise<ThreadMessage[]> {
    return this.#retry("conversations.replies", () => this.inner.replies(a));
  }

  /** Not retried: a name is a nicety, looked up under its own short bound (user-names.ts). */
  userName(userId: string): Promise<string | undefined> {
    return this.inner.userName(userId);
  }

  openDm(userId: string): Promise<string> {
    return this.#retry("conversations.open", () => this.inner.openDm(userId));
  }
}
