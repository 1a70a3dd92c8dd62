import type { Logger } from "../log.js";
import { sleep } from "../sleep.js";
import { classifySlackFailure } from "./slack-failure.js";

/**
 * How hard a Slack call that must land (an answer, a final card, a notice) is retried. Each
 * attempt is itself bounded by the client's timeout, so the worst case is about
 * `transientAttempts × (timeout + maxDelayMs)` for a Slack that hangs, or `rateLimitWaitMs` of
 * Retry-After waits for one that keeps rate limiting.
 */
export interface RetryPolicy {
  /** Attempts in all for 5xx, network failures and timeouts. */
  transientAttempts: number;
  /** First back-off after a transient failure; doubled each time, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest total time spent waiting on Retry-After before giving up. */
  rateLimitWaitMs: number;
}

export const DefaultRetryPolicy: RetryPolicy = {
  transientAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  rateLimitWaitMs: 120_000,
};

export interface RetryOptions {
  policy: RetryPolicy;
  log: Logger;
  /** Aborted: no further attempt and no further wait (shutdown past its grace period). */
  signal?: AbortSignal;
  /** Told of every Retry-After (e.g. to pause optional calls of the same workspace). */
  onRateLimited?: (retryAfterMs: number) => void;
}

/** Back-off before transient attempt `n + 1` (n ≥ 1): exponential with ±50 % jitter. */
export function backoffMs(policy: RetryPolicy, n: number, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(base * (0.5 + random()));
}

/**
 * Run `attempt` until it succeeds or Slack refuses for good, per Slack's error kind (see
 * SlackFailure): Retry-After is honoured, transient failures are retried with back-off, a refused
 * message and permanent errors are thrown at once. Throws the last error when it gives up.
 * A post that timed out may have reached Slack: its retry can show the message twice (Slack has
 * no idempotency key for chat.postMessage), which is better than not showing it.
 */
export async function retrySlackCall<T>(what: string, attempt: () => Promise<T>, o: RetryOptions): Promise<T> {
  let transient = 0;
  let waitedMs = 0;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const failure = classifySlackFailure(err);
      let delay: number | undefined;
      if (failure.kind === "rate_limited") {
        o.onRateLimited?.(failure.retryAfterMs);
        delay = Math.max(failure.retryAfterMs, 100);
        waitedMs += delay;
        if (waitedMs > o.policy.rateLimitWaitMs) delay = undefined;
      } else if (failure.kind === "transient") {
        transient += 1;
        delay = transient < o.policy.transientAttempts ? backoffMs(o.policy, transient) : undefined;
      }
      if (delay === undefined || o.signal?.aborted) throw err;
      o.log.warn(
        { what, slackError: failure.error, retryInMs: delay, attempt: transient },
        "Slack call failed; retrying",
      );
      // The wait is the work: it keeps the process alive (close() bounds it).
      await sleep(delay, o.signal, { keepAlive: true });
      if (o.signal?.aborted) throw err;
    }
  }
}
