import { CodethreadError, excerpt } from "../errors.js";

/** A Slack Web API call answered `ok: false` (or failed at the HTTP level). */
export class ErrSlackApi extends CodethreadError {
  /** Slack's error string (`not_in_channel`, `msg_too_long`, …) or `http_error`. */
  readonly slackError: string;
  constructor(method: string, slackError: string, detail?: string, cause?: unknown) {
    super(
      "slack_api_error",
      `Slack ${method} failed: ${slackError}${detail ? ` (${excerpt(detail, 200)})` : ""}`,
      { method, slackError },
      { cause },
    );
    this.slackError = slackError;
  }
}

/** A Slack Web API call was rate limited and not retried (progress edits only). */
export class ErrSlackRateLimited extends CodethreadError {
  readonly retryAfterMs: number;
  constructor(method: string, retryAfterMs: number) {
    super("slack_rate_limited", `Slack ${method} is rate limited; retry after ${retryAfterMs} ms`, {
      method,
      retryAfterMs,
    });
    this.retryAfterMs = retryAfterMs;
  }
}

/** A Slack payload did not have the shape we expect. */
export class ErrSlackPayload extends CodethreadError {
  constructor(kind: string, issues: string) {
    super("slack_payload_invalid", `Unexpected Slack ${kind} payload: ${excerpt(issues, 300)}`, { kind });
  }
}
