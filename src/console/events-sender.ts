import { request } from "undici";
import { messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import type { Secret } from "../secret.js";
import type { Params } from "./faults.js";
import { signatureHeaders } from "./signing.js";

/**
 * Delivers what Slack delivers to an app's Request URL (`/slack/events`), signed with the app's
 * signing secret: slash commands and button clicks (form-encoded) and Events API envelopes (JSON).
 * Like Slack, it waits `timeoutMs` (3 s) for the app's answer. Events that were not answered 2xx
 * in time are delivered again after `retryDelaysMs` with X-Slack-Retry-Num / X-Slack-Retry-Reason
 * (Slack: at once, after 1 min, after 5 min), unless the app answered `X-Slack-No-Retry: 1`.
 * Slash commands and clicks are not retried (Slack shows the person an error instead).
 *
 * Bound: retries waiting are at most 3 per undelivered event; `stop()` cancels them.
 */
export type AckResult =
  | { ok: true; status: number; body: string; contentType: string }
  | {
      ok: false;
      reason: "http_timeout" | "connection_failed" | "http_error";
      status?: number;
      body?: string;
      /** The app answered `X-Slack-No-Retry: 1`. */
      noRetry?: boolean;
    };

/** Slack's retry schedule for events (docs.slack.dev, Events API "Retries"). */
export const SlackRetryDelaysMs = [0, 60_000, 300_000];

export interface EventsSenderOptions {
  secret: Secret;
  /** The app's Request URL; undefined while the app is not up yet (the delivery fails as Slack's would). */
  target: () => string | undefined;
  timeoutMs?: number;
  /** Delays of the retries of an unanswered event (default Slack's; [] for none). */
  retryDelaysMs?: number[];
  log?: Logger;
}

export class EventsSender {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<AbortController>();
  #stopped = false;

  constructor(private readonly o: EventsSenderOptions) {}

  /** A slash command's form body (slashCommandForm). */
  command(form: string): Promise<AckResult> {
    return this.#post(form, "application/x-www-form-urlencoded", {});
  }

  /** A block_actions payload (blockActionsPayload), sent as `payload=<json>`. */
  action(payload: Params): Promise<AckResult> {
    return this.#post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      "application/x-www-form-urlencoded",
      {},
    );
  }

  /**
   * An Events API envelope. Resolves with the first delivery's result; a failed one is retried in
   * the background (`retry` forces the retry headers on this delivery, for tests of the app's dedupe).
   */
  async event(envelope: Params, retry?: { num: number; reason: string }): Promise<AckResult> {
    const body = JSON.stringify(envelope);
    const first = await this.#post(body, "application/json", retryHeaders(retry));
    if (!retry) this.#scheduleRetries(body, first, 0);
    return first;
  }

  #scheduleRetries(body: string, last: AckResult, done: number): void {
    const delays = this.o.retryDelaysMs ?? SlackRetryDelaysMs;
    if (this.#stopped || last.ok || last.noRetry || done >= delays.length) return;
    const reason = last.reason;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const num = done + 1;
      void this.#post(body, "application/json", retryHeaders({ num, reason })).then((r) => {
        this.o.log?.info({ retryNum: num, reason, delivered: r.ok }, "event delivered again, as Slack retries");
        this.#scheduleRetries(body, r, num);
      });
    }, delays[done]);
    timer.unref();
    this.#timers.add(timer);
  }

  async #post(body: string, contentType: string, extra: Record<string, string>): Promise<AckResult> {
    const url = this.o.target();
    if (!url || this.#stopped) return { ok: false, reason: "connection_failed" };
    const timeoutMs = this.o.timeoutMs ?? 3_000;
    const abort = new AbortController();
    this.#inFlight.add(abort);
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await request(url, {
        method: "POST",
        headers: { "content-type": contentType, ...signatureHeaders(this.o.secret.reveal(), body), ...extra },
        body,
        signal: abort.signal,
      });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return { ok: true, status: res.statusCode, body: text, contentType: String(res.headers["content-type"] ?? "") };
      }
      const noRetry = res.headers["x-slack-no-retry"] === "1";
      return { ok: false, reason: "http_error", status: res.statusCode, body: text, noRetry };
    } catch (err) {
      const reason = abort.signal.aborted ? "http_timeout" : "connection_failed";
      this.o.log?.debug({ reason, err: messageOf(err) }, "delivery to the app failed");
      return { ok: false, reason };
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(abort);
    }
  }

  /** Cancel waiting retries and deliveries in flight. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const a of this.#inFlight) a.abort();
  }
}

function retryHeaders(retry?: { num: number; reason: string }): Record<string, string> {
  return retry ? { "x-slack-retry-num": String(retry.num), "x-slack-retry-reason": retry.reason } : {};
}
