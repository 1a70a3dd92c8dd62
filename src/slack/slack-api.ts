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
 * `ErrSlackApi` (Slack said `ok: false`) or `ErrSlackRateLimited` (progress client only).
 */
export interface SlackApi {
  postMessage(args: PostArgs): Promise<{ channel: string; ts: string }>;
  update(args: PostArgs & { ts: string }): Promise<void>;
  postEphemeral(args: { channel: string; user: string; text: string; threadTs?: string }): Promise<void>;
  uploadFile(args: {
    channel: string;
    threadTs: string;
    filename: string;
    content: string;
    comment: string;
  }): Promise<void>;
  setStatus(args: { channel: string; threadTs: string; status: string }): Promise<void>;
  replies(args: { channel: string; ts: string; limit: number }): Promise<ThreadMessage[]>;
  /** The name Slack shows for a user (display name, else real name, else handle); needs users:read. */
  userName(userId: string): Promise<string | undefined>;
}

export interface SlackClientOptions {
  token: Secret;
  /** Web API base URL, e.g. `http://127.0.0.1:4000/api/` (default Slack's). */
  apiUrl?: string;
  /**
   * `progress`: a 429 is thrown at once as ErrSlackRateLimited (the caller merges the edit into the next one).
   * `reliable`: 429s and transient failures are retried, honouring Retry-After, so nothing is lost.
   */
  kind: "progress" | "reliable";
  /** Where the client's own messages go (default: its console logger at ERROR). */
  log?: Logger;
}

/** Retries for answers and errors: keep trying for about ten minutes. */
const reliableRetries = { retries: 12, factor: 1.6, minTimeout: 250, maxTimeout: 60_000, randomize: true };

/** A WebClient for one purpose; progress and reliable clients have separate queues, so one's pause never delays the other. */
export function createWebClient(options: SlackClientOptions): webApi.WebClient {
  return new webApi.WebClient(options.token.reveal(), {
    slackApiUrl: options.apiUrl,
    rejectRateLimitedCalls: options.kind === "progress",
    retryConfig: options.kind === "progress" ? { retries: 0 } : reliableRetries,
    logLevel: webApi.LogLevel.ERROR,
    logger: options.log ? boltLogger(options.log.child({ component: `slack-${options.kind}` })) : undefined,
    timeout: 30_000,
  });
}

function translate(method: string, err: unknown): never {
  if (err instanceof webApi.WebAPIRateLimitedError) throw new ErrSlackRateLimited(method, err.retryAfter * 1000);
  if (err instanceof webApi.WebAPIPlatformError) {
    const detail = err.data.response_metadata?.messages?.join("; ");
    throw new ErrSlackApi(method, String(err.data.error), detail, err);
  }
  if (err instanceof webApi.WebAPIHTTPError) throw new ErrSlackApi(method, `http_${err.statusCode}`, undefined, err);
  throw new ErrSlackApi(method, "request_failed", err instanceof Error ? err.message : String(err), err);
}

async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
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

  async uploadFile(a: { channel: string; threadTs: string; filename: string; content: string; comment: string }) {
    await call("files.uploadV2", () =>
      this.client.filesUploadV2({
        channel_id: a.channel,
        thread_ts: a.threadTs,
        filename: a.filename,
        title: a.filename,
        content: a.content,
        initial_comment: neutralizeBroadcasts(a.comment),
      }),
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
}
