import type { AgentSessionStatus, NativeSlackApi, StreamChunk, Warned } from "../slack/native-api.js";
import type { Block } from "../slack/slack-api.js";
import { countSlackCall } from "./count-slack-call.js";
import type { Metrics } from "./metrics.js";

/**
 * Counts the calls of Slack's agent features and file downloads by method and outcome, as
 * MeteredSlackApi does for the others, so /metrics shows refusals and 429s of agents.sessions.*,
 * chat.*Stream and url_private too.
 */
export class MeteredNativeSlackApi implements NativeSlackApi {
  constructor(
    private readonly inner: NativeSlackApi,
    private readonly metrics: Metrics,
  ) {}

  #count<T>(method: string, call: () => Promise<T>): Promise<T> {
    return countSlackCall(this.metrics, method, call);
  }

  setAgentStatus(a: {
    channel: string;
    threadTs: string;
    status: AgentSessionStatus;
    title?: string;
    initiatorUserId?: string;
  }): Promise<Warned> {
    return this.#count("agents.sessions.setStatus", () => this.inner.setAgentStatus(a));
  }
  startStream(a: {
    channel: string;
    threadTs: string;
    recipientUserId: string;
    recipientTeamId: string;
    chunks: StreamChunk[];
  }): Promise<{ ts: string } & Warned> {
    return this.#count("chat.startStream", () => this.inner.startStream(a));
  }
  appendStream(a: { channel: string; ts: string; chunks: StreamChunk[] }): Promise<void> {
    return this.#count("chat.appendStream", () => this.inner.appendStream(a));
  }
  stopStream(a: { channel: string; ts: string; chunks?: StreamChunk[]; blocks?: Block[] }): Promise<void> {
    return this.#count("chat.stopStream", () => this.inner.stopStream(a));
  }
  messageFiles(a: { channel: string; ts: string; threadTs?: string }) {
    return this.#count(a.threadTs && a.threadTs !== a.ts ? "conversations.replies" : "conversations.history", () =>
      this.inner.messageFiles(a),
    );
  }
  download(url: string, maxBytes: number): Promise<Buffer> {
    return this.#count("url_private", () => this.inner.download(url, maxBytes));
  }
}
