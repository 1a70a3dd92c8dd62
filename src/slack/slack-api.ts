import { type types, webApi } from "@slack/bolt";
import { z } from "zod";
import type { Logger } from "../log.js";
import type { Secret } from "../secret.js";
import { boltLogger } from "./bolt-logger.js";
import { neutralizeBlocks, neutralizeBroadcasts } from "./broadcasts.js";
import { ErrSlackApi, ErrSlackRateLimited } from "./errors.js";

export type Block = types.KnownBlock;

export interface PostArgs {
  channel: string;
  text: string;
  blocks?: Block[];
  threadTs?: string;
}

export interface ThreadMessage {
  ts: string;
  user?: string;
  botId?: string;
  text: string;
}

/**
 * The Slack Web API calls codethread makes, narrowed to what it needs. Errors are
 * `ErrSlackApi` (Slack said `ok: false`, an HTTP error, `timeout`, `request_failed`) or
 * `ErrSlackRateLimited` (HTTP 429, or `ok: false` with `ratelimited`). The client itself never
 * retries; `RetryingSlackApi` (retrying-api.ts) retries per error kind.
 */
export interface SlackApi {
  postMessage(args: PostArgs): Promise<{ channel: string; ts: string }>;
  update(args: PostArgs & { ts: string }): Promise<void>;
  postEphemeral(args: { channel: string; user: string; text: string; threadTs?: string }): Promise<void>;
  uploadFile(args: {
    channel: string;
    threadTs?: string;
    filename: string;
    content: string;
    comment: string;
  }): Promise<void>;
  setStatus(args: { channel: string; threadTs: string; status: string }): Promise<void>;
  replies(args: { channel: string; ts: string; limit: number }): Promise<ThreadMessage[]>;
  /** The name Slack shows for a user (display name, else real name, else handle); needs users:read. */
  userName(userId: string): Promise<string | undefined>;
  /** The direct-message channel with a user (conversations.open; needs im:write). */
  openDm(userId: string): Promise<string>;
}

export interface SlackClientOptions {
  token: Secret;
  /** Web API base URL, e.g. `http://127.0.0.1:4000/api/` (default Slack's). */
  apiUrl?: string;
  /**
   * `progress` (card edits) or `reliable` (answers, cards, buttons): separate clients, so a queue of
   * one never delays the other. Neither retries: a 429 is thrown at once as ErrSlackRateLimited.
   */
  kind: "progress" | "reliable";
  /** Where the client's own messages go (default: its console logger at ERROR). */
  log?: Logger;
  /** A call that has not answered in this long is abandoned as `timeout` (default 10 s). */
  timeoutMs?: number;
}

export const DefaultSlackTimeoutMs = 10_000;

/** A WebClient for one purpose. Retries are the caller's (RetryingSlackApi), per Slack's error kind. */
export function createWebClient(options: SlackClientOptions): webApi.WebClient {
  return new webApi.WebClient(options.token.reveal(), {
    slackApiUrl: options.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
    logger: options.log ? boltLogger(options.log.child({ component: `slack-${options.kind}` })) : undefined,
    timeout: options.timeoutMs ?? DefaultSlackTimeoutMs,
  });
}

const rateLimitedErrors = new Set(["ratelimited", "rate_limited"]);

function translate(method: string, err: unknown): never {
  if (err instanceof webApi.WebAPIRateLimitedError) throw new ErrSlackRateLimited(method, err.retryAfter * 1000);
  if (err instanceof webApi.WebAPIPlatformError) {
    // Slack also refuses with `ok: false, error: "ratelimited"` at HTTP 200 (Retry-After in the headers).
    if (rateLimitedErrors.has(String(err.data.error))) {
      throw new ErrSlackRateLimited(method, (err.data.response_metadata?.retryAfter ?? 1) * 1000);
    }
    const detail = err.data.response_metadata?.messages?.join("; ");
    throw new ErrSlackApi(method, String(err.data.error), detail, err);
  }
  if (err instanceof webApi.WebAPIHTTPError) throw new ErrSlackApi(method, `http_${err.statusCode}`, undefined, err);
  if (err instanceof webApi.WebAPIRequestError) {
    const name = err.original instanceof Error ? err.original.name : "";
    const timedOut = name === "TimeoutError" || name === "AbortError";
    throw new ErrSlackApi(method, timedOut ? "timeout" : "request_failed", err.original.message, err);
  }
  throw new ErrSlackApi(method, "request_failed", err instanceof Error ? err.message : String(err), err);
}

/** Run one Web API call, translating @slack/web-api's errors into ErrSlackApi / ErrSlackRateLimited. */
export async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    translate(method, err);
  }
}

/** The fields of a users.info answer we read. */
const UsersInfo = z.object({
  user: z
    .object({
      name: z.string().optional(),
      real_name: z.string().optional(),
      profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).partial().optional(),
    })
    .optional(),
});

/** SlackApi over @slack/web-api's WebClient. Every text it posts has its broadcast mentions neutralized. */
export class WebSlackApi implements SlackApi {
  constructor(readonly client: webApi.WebClient) {}

  async postMessage(a: PostArgs): Promise<{ channel: string; ts: string }> {
    const r = await call("chat.postMessage", () =>
      this.client.chat.postMessage({
        channel: a.channel,
        text: neutralizeBroadcasts(a.text),
        blocks: a.blocks && neutralizeBlocks(a.blocks),
        thread_ts: a.threadTs,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (!r.ts) throw new ErrSlackApi("chat.postMessage", "no_ts");
    return { channel: r.channel ?? a.channel, ts: r.ts };
  }

  async update(a: PostArgs & { ts: string }): Promise<void> {
    await call("chat.update", () =>
      this.client.chat.update({
        channel: a.channel,
        ts: a.ts,
        text: neutralizeBroadcasts(a.text),
        blocks: neutralizeBlocks(a.blocks ?? []),
      }),
    );
  }

  async postEphemeral(a: { channel: string; user: string; text: string; threadTs?: string }): Promise<void> {
    await call("chat.postEphemeral", () =>
      this.client.chat.postEphemeral({
        channel: a.channel,
        user: a.user,
        text: neutralizeBroadcasts(a.text),
        thread_ts: a.threadTs,
      }),
    );
  }

  async uploadFile(a: { channel: string; threadTs?: string; filename: string; content: string; comment: string }) {
    const file = {
      filename: a.filename,
      title: a.filename,
      content: a.content,
      initial_comment: neutralizeBroadcasts(a.comment),
    };
    await call("files.uploadV2", () =>
      this.client.filesUploadV2(
        a.threadTs ? { ...file, channel_id: a.channel, thread_ts: a.threadTs } : { ...file, channel_id: a.channel },
      ),
    );
  }

  async setStatus(a: { channel: string; threadTs: string; status: string }): Promise<void> {
    await call("assistant.threads.setStatus", () =>
      this.client.assistant.threads.setStatus({
        channel_id: a.channel,
        thread_ts: a.threadTs,
        status: neutralizeBroadcasts(a.status),
      }),
    );
  }

  async replies(a: { channel: string; ts: string; limit: number }): Promise<ThreadMessage[]> {
    const r = await call("conversations.replies", () =>
      this.client.conversations.replies({ channel: a.channel, ts: a.ts, limit: a.limit }),
    );
    return (r.messages ?? []).flatMap((m) =>
      m.ts ? [{ ts: m.ts, user: m.user, botId: m.bot_id, text: m.text ?? "" }] : [],
    );
  }

  async userName(userId: string): Promise<string | undefined> {
    const r = UsersInfo.safeParse(await call("users.info", () => this.client.users.info({ user: userId })));
    if (!r.success) throw new ErrSlackApi("users.info", "unexpected_response");
    const u = r.data.user;
    const name = [u?.profile?.display_name, u?.profile?.real_name, u?.real_name, u?.name].find((n) => n?.trim());
    return name?.trim();
  }

  async openDm(userId: string): Promise<string> {
    const r = await call("conversations.open", () => this.client.conversations.open({ users: userId }));
    if (!r.channel?.id) throw new ErrSlackApi("conversations.open", "no_channel");
    return r.channel.id;
  }
}
