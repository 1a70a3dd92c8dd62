import { z } from "zod";
import { excerpt } from "../errors.js";
import { HttpJsonClient } from "../http/json-client.js";
import { ErrSlackApi, ErrSlackRateLimited } from "./errors.js";
import type { Block } from "./slack-api.js";

/** A slash command's response_url accepts posts for 30 minutes after the command (and 5 of them). */
export const ResponseUrlLifetimeMs = 30 * 60_000;

export interface ResponseMessage {
  text: string;
  blocks?: Block[];
  response_type: "ephemeral" | "in_channel";
  replace_original?: boolean;
}

/** What Slack answers a response_url post with when it answers JSON (it may also answer plain `ok`). */
const ResponseAnswer = z.object({ ok: z.boolean(), error: z.string().optional() });

export type PostResponse = (url: string, message: ResponseMessage) => Promise<void>;

/**
 * Post to a slash command's response_url. The URL is a credential (anyone holding it may post as
 * the app): it never appears in an error or a log line. Failures are ErrSlackApi with method
 * `response_url` (`expired_url`, `http_404`, `timeout`, …) or ErrSlackRateLimited, so the
 * Web API's retry rules apply to them too.
 */
export function responseUrlPoster(timeoutMs = 10_000): PostResponse {
  return async (url, message) => {
    const client = new HttpJsonClient({
      service: "slack-response-url",
      baseUrl: url,
      timeoutMs,
      errors: {
        unreachable: (_call, reason, cause) =>
          new ErrSlackApi(
            "response_url",
            /no answer within/.test(reason) ? "timeout" : "request_failed",
            reason,
            cause,
          ),
      },
    });
    const res = await client.text("POST", "", { body: message, accept: () => true });
    if (res.status === 429) {
      const retryAfter = Number(res.headers["retry-after"] ?? 1);
      throw new ErrSlackRateLimited("response_url", (Number.isFinite(retryAfter) ? retryAfter : 1) * 1000);
    }
    let parsed: z.infer<typeof ResponseAnswer> | undefined;
    try {
      const r = ResponseAnswer.safeParse(JSON.parse(res.text));
      parsed = r.success ? r.data : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.status >= 200 && res.status < 300 && parsed?.ok !== false) return;
    throw new ErrSlackApi("response_url", parsed?.error ?? `http_${res.status}`, excerpt(res.text, 100));
  };
}
