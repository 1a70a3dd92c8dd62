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

/** A file shared with a request could not be downloaded from Slack (`reason`: http_403, too_large, foreign_host, …). */
export class ErrAttachmentDownload extends CodethreadError {
  readonly reason: string;
  constructor(url: string, reason: string, cause?: unknown) {
    // The path names the file; the query string (if any) is left out.
    const where = URL.canParse(url) ? `${new URL(url).origin}${new URL(url).pathname}` : "an invalid URL";
    super(
      "attachment_download_failed",
      `Could not download a shared file from ${where}: ${reason}`,
      { reason },
      { cause },
    );
    this.reason = reason;
  }
}
