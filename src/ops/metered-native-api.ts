import type {
  AppendStreamArgs,
  MessageFilesArgs,
  NativeSlackApi,
  SetAgentStatusArgs,
  StartStreamArgs,
  StopStreamArgs,
  Warned,
} from "../slack/native-api.js";
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

  setAgentStatus(a: SetAgentStatusArgs): Promise<Warned> {
    return this.#count("agents.sessions.setStatus", () => this.inner.setAgentStatus(a));
  }
  startStream(a: StartStreamArgs): Promise<{ ts: string } & Warned> {
    return this.#count("chat.startStream", () => this.inner.startStream(a));
  }
  appendStream(a: AppendStreamArgs): Promise<void> {
    return this.#count("chat.appendStream", () => this.inner.appendStream(a));
  }
  stopStream(a: StopStreamArgs): Promise<void> {
    return this.#count("chat.stopStream", () => this.inner.stopStream(a));
  }
  messageFiles(a: MessageFilesArgs) {
    return this.#count(a.threadTs && a.threadTs !== a.ts ? "conversations.replies" : "conversations.history", () =>
      this.inner.messageFiles(a),
    );
  }
  download(url: string, maxBytes: number): Promise<Buffer> {
    return this.#count("url_private", () => this.inner.download(url, maxBytes));
  }
}
