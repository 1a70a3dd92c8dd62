import { StringDecoder } from "node:string_decoder";
import { messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import { sleep } from "../../sleep.js";
import type { OpenCodeClient } from "./client.js";
import { ErrEventStreamLost, ErrOpenCodeHttp } from "./errors.js";
import { FrameDecoder } from "./frames.js";
import type { OpenCodeEvent } from "./schemas.js";

/** The server sends `server.heartbeat` every 10 s; three missed beats mean the stream is dead. */
export const DefaultHeartbeatTimeoutMs = 30_000;

export interface ReconnectPolicy {
  /** Consecutive failed connection attempts before the run fails. */
  attempts: number;
  /** First delay between attempts; doubles up to 10 s. */
  delayMs: number;
}
export const DefaultReconnect: ReconnectPolicy = { attempts: 6, delayMs: 500 };

export type StreamItem = { kind: "event"; event: OpenCodeEvent } | { kind: "reconnected" };

export interface EventStreamOptions {
  client: OpenCodeClient;
  /** `/event` for the run's directory, or `/global/event` (one server, many workspaces). */
  scope: "directory" | "global";
  directory: string;
  heartbeatTimeoutMs?: number;
  reconnect?: ReconnectPolicy;
  log: Logger;
}

/**
 * One run's view of the server's SSE stream. Reads frames with eventsource-parser, validates
 * them, and hands each to `onItem`, awaiting it before reading further (back-pressure). A
 * stream that ends, errors or stays silent past the heartbeat timeout is reopened; after each
 * reopening `onItem` gets `{kind:"reconnected"}` so the run can reconcile from the server's
 * messages. `done` rejects with `ErrEventStreamLost` once reconnection gives up.
 */
export class EventStream {
  readonly done: Promise<void>;
  readonly #options: EventStreamOptions;
  readonly #onItem: (item: StreamItem) => Promise<void>;
  readonly #stop = new AbortController();
  #connected!: () => void;
  readonly #firstConnect: Promise<void>;
  #malformed = 0;

  constructor(options: EventStreamOptions, onItem: (item: StreamItem) => Promise<void>) {
    this.#options = options;
    this.#onItem = onItem;
    this.#firstConnect = new Promise((resolve) => {
      this.#connected = resolve;
    });
    this.done = this.#pump();
    this.done.catch(() => {});
  }

  /** Resolves once the server confirmed the subscription (`server.connected`); rejects if the stream is lost first. */
  ready(): Promise<void> {
    return Promise.race([this.#firstConnect, this.done]);
  }

  get malformedFrames(): number {
    return this.#malformed;
  }

  stop(): void {
    this.#stop.abort();
  }

  async #pump(): Promise<void> {
    const { reconnect = DefaultReconnect, log } = this.#options;
    let failures = 0;
    let everConnected = false;
    while (!this.#stop.signal.aborted) {
      let reason: string;
      try {
        reason = await this.#readOnce(() => {
          failures = 0;
          if (everConnected) return this.#onItem({ kind: "reconnected" });
          everConnected = true;
          this.#connected();
          return Promise.resolve();
        });
      } catch (err) {
        if (this.#stop.signal.aborted) return;
        if (err instanceof ErrOpenCodeHttp && (err.status === 401 || err.status === 403)) throw err;
        reason = messageOf(err);
      }
      if (this.#stop.signal.aborted) return;
      failures += 1;
      if (failures > reconnect.attempts) throw new ErrEventStreamLost(reason, failures - 1);
      const delay = Math.min(10_000, reconnect.delayMs * 2 ** (failures - 1));
      log.warn({ reason, attempt: failures, delayMs: delay }, "opencode event stream dropped; reconnecting");
      await sleep(delay, this.#stop.signal, { keepAlive: true });
    }
  }

  /** One connection: returns why it ended. */
  async #readOnce(onConnected: () => Promise<void>): Promise<string> {
    const { client, scope, directory, heartbeatTimeoutMs = DefaultHeartbeatTimeoutMs, log } = this.#options;
    const conn = new AbortController();
    const stopConn = () => conn.abort();
    this.#stop.signal.addEventListener("abort", stopConn, { once: true });
    let silent = false;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        silent = true;
        conn.abort();
      }, heartbeatTimeoutMs);
    };
    try {
      arm();
      const path = scope === "global" ? "/global/event" : "/event";
      const body = await client.openEvents(path, scope === "global" ? undefined : directory, conn.signal);
      const decoder = new FrameDecoder();
      const text = new StringDecoder("utf8");
      for await (const chunk of body) {
        arm();
        for (const frame of decoder.feed(text.write(chunk as Buffer))) {
          if (frame.kind === "malformed") {
            this.#malformed += 1;
            log.warn(
              { reason: frame.reason, data: frame.data.slice(0, 200) },
              "opencode: skipped a malformed event frame",
            );
            continue;
          }
          if (frame.kind === "ignored") continue;
          if (frame.event.type === "server.connected") {
            await onConnected();
            continue;
          }
          if (frame.event.type === "server.heartbeat") continue;
          // The watchdog watches the server, not our consumer: pause it while we wait on back-pressure.
          clearTimeout(watchdog);
          await this.#onItem({ kind: "event", event: frame.event });
          arm();
        }
      }
      return "the server closed the event stream";
    } catch (err) {
      if (silent) return `no event or heartbeat for ${heartbeatTimeoutMs} ms`;
      throw err;
    } finally {
      clearTimeout(watchdog);
      this.#stop.signal.removeEventListener("abort", stopConn);
      conn.abort();
    }
  }
}
