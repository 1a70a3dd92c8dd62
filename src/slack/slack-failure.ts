import { ErrSlackApi, ErrSlackRateLimited } from "./errors.js";

/**
 * What a failed Slack call means for the caller, by Slack's error kind:
 * - `rate_limited`: HTTP 429 or `ok: false, error: "ratelimited"` — wait `retryAfterMs`, then retry;
 * - `transient`: HTTP 5xx, a network failure, a call that did not answer in time, or Slack's own
 *   `internal_error`/`fatal_error`/`service_unavailable`/`request_timeout` — retry with back-off;
 * - `refused_message`: the message itself was refused (`msg_too_long`, `invalid_blocks`, …) —
 *   retrying the same message cannot work: split it or attach it as a file;
 * - `permanent`: anything else (`not_in_channel`, `channel_not_found`, `is_archived`,
 *   `message_not_found`, `invalid_auth`, …) — do not retry; tell the person another way.
 */
export type SlackFailure =
  | { kind: "rate_limited"; retryAfterMs: number; error: string }
  | { kind: "transient"; error: string }
  | { kind: "refused_message"; error: string }
  | { kind: "permanent"; error: string };

const transientErrors = new Set([
  "timeout",
  "request_failed",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "team_added_to_org",
]);

const refusedMessageErrors = new Set([
  "msg_too_long",
  "msg_blocks_too_long",
  "invalid_blocks",
  "invalid_blocks_format",
  "too_many_attachments",
]);

export function classifySlackFailure(err: unknown): SlackFailure {
  if (err instanceof ErrSlackRateLimited) {
    return { kind: "rate_limited", retryAfterMs: err.retryAfterMs, error: "ratelimited" };
  }
  if (!(err instanceof ErrSlackApi)) return { kind: "transient", error: "unexpected" };
  const error = err.slackError;
  if (/^http_5\d\d$/.test(error) || transientErrors.has(error)) return { kind: "transient", error };
  if (refusedMessageErrors.has(error)) return { kind: "refused_message", error };
  return { kind: "permanent", error };
}

/** Slack's error code of a failure, for logs and for the words shown to a person. */
export function slackErrorOf(err: unknown): string {
  return classifySlackFailure(err).error;
}
