/**
 * What a request to Slack's endpoint carries, read from its raw body (the front thread checks the
 * signature over those same bytes first). Slack sends three encodings: JSON (Events API),
 * `application/x-www-form-urlencoded` fields (slash commands, `ssl_check`), and form-encoded
 * `payload=<JSON>` (interactivity: buttons, views, shortcuts).
 */
export type SlackRequestBody =
  /** Slack checking the TLS certificate of a slash command's URL: answered 200, no signature needed. */
  | { kind: "ssl-check" }
  /** The Events API's URL check: answered with the challenge. */
  | { kind: "url-verification"; challenge: string }
  | {
      kind: "payload";
      body: Record<string, unknown>;
      /**
       * Whether what the bot acks with may come after Slack's HTTP answer: a slash command's or a
       * button's text can go to its response_url, an event's ack carries nothing. A view submission's
       * `response_action` or an options list exists only in the HTTP answer.
       */
      answerLater: boolean;
    }
  | { kind: "malformed"; reason: string };

/** Interactive payloads whose ack body is the answer itself, so the front waits for the bot's. */
const AnswerOnlyInResponse = new Set(["view_submission", "block_suggestion", "dialog_submission", "dialog_suggestion"]);

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** True for Slack's `ssl_check` form post, which is not signed (checked before the signature). */
export function isSslCheck(contentType: string | undefined, raw: string): boolean {
  return isForm(contentType) && new URLSearchParams(raw).has("ssl_check");
}

export function parseSlackRequestBody(contentType: string | undefined, raw: string): SlackRequestBody {
  let body: Record<string, unknown> | undefined;
  try {
    if (isForm(contentType)) {
      const fields = new URLSearchParams(raw);
      if (fields.has("ssl_check")) return { kind: "ssl-check" };
      const payload = fields.get("payload");
      body = payload === null ? Object.fromEntries(fields) : asObject(JSON.parse(payload));
    } else {
      body = asObject(JSON.parse(raw));
    }
  } catch (err) {
    return { kind: "malformed", reason: err instanceof Error ? err.message : "unreadable body" };
  }
  if (!body) return { kind: "malformed", reason: "the body is not an object" };
  if (body.type === "url_verification") {
    return typeof body.challenge === "string"
      ? { kind: "url-verification", challenge: body.challenge }
      : { kind: "malformed", reason: "url_verification without a challenge" };
  }
  const type = typeof body.type === "string" ? body.type : "";
  return { kind: "payload", body, answerLater: !AnswerOnlyInResponse.has(type) };
}
