import type { webApi } from "@slack/bolt";
import { request } from "undici";
import { z } from "zod";
import type { Secret } from "../secret.js";
import { neutralizeBlocks, neutralizeBroadcasts } from "./broadcasts.js";
import { ErrAttachmentDownload, ErrSlackApi } from "./errors.js";
import { type Block, call } from "./slack-api.js";

/** Lifecycle of a thread's agent session (docs.slack.dev `ai/agent-sessions`). */
export type AgentSessionStatus = "processing" | "active" | "suspended" | "closed";

/** A streamed message's chunk (`@slack/types` chunk.ts): text as written, or a tool step. */
export type StreamChunk =
  | { type: "markdown_text"; text: string }
  | {
      type: "task_update";
      id: string;
      title: string;
      status: "pending" | "in_progress" | "complete" | "error";
      details?: string;
    };

/** A file shared in a message, as conversations.history / replies and message events list it (the fields we read). */
export const SlackFile = z.object({
  id: z.string().min(1),
  name: z.string().default("file"),
  mimetype: z.string().default("application/octet-stream"),
  filetype: z.string().optional(),
  size: z.number().nonnegative().default(0),
  url_private_download: z.string().optional(),
  url_private: z.string().optional(),
  mode: z.string().optional(),
});
export type SlackFile = z.infer<typeof SlackFile>;

const MessageWithFiles = z.object({
  messages: z.array(z.object({ ts: z.string(), files: z.array(z.unknown()).optional() })).default([]),
});

/** Slack's answer carried a `warning` (e.g. `missing_agent_session_stopped_event_subscription`). */
export interface Warned {
  warning?: string;
}

/** The arguments of each NativeSlackApi call, stated once for the port and its implementations. */
export interface SetAgentStatusArgs {
  channel: string;
  threadTs: string;
  status: AgentSessionStatus;
  title?: string;
  initiatorUserId?: string;
}
export interface StartStreamArgs {
  channel: string;
  threadTs: string;
  recipientUserId: string;
  recipientTeamId: string;
  chunks: StreamChunk[];
}
export type AppendStreamArgs = { channel: string; ts: string; chunks: StreamChunk[] };
export type StopStreamArgs = { channel: string; ts: string; chunks?: StreamChunk[]; blocks?: Block[] };
export type MessageFilesArgs = { channel: string; ts: string; threadTs?: string };

/**
 * The Web API calls of Slack's agent features and of attachments: agent session status (the
 * native stop button), streamed messages, and the files of a message. Kept apart from SlackApi:
 * they are optional features, each detected per workspace (capabilities.ts), none retried here.
 */
export interface NativeSlackApi {
  setAgentStatus(a: SetAgentStatusArgs): Promise<Warned>;
  startStream(a: StartStreamArgs): Promise<{ ts: string } & Warned>;
  appendStream(a: AppendStreamArgs): Promise<void>;
  stopStream(a: StopStreamArgs): Promise<void>;
  /** The files of one message (mentions carry none in their event): conversations.replies or history. */
  messageFiles(a: MessageFilesArgs): Promise<SlackFile[]>;
  /** A file's bytes from its url_private, with the bot token (files:read); at most `maxBytes`. */
  download(url: string, maxBytes: number): Promise<Buffer>;
}

const neutralizeChunks = (chunks: StreamChunk[]): StreamChunk[] =>
  chunks.map((c) =>
    c.type === "markdown_text"
      ? { ...c, text: neutralizeBroadcasts(c.text) }
      : { ...c, title: neutralizeBroadcasts(c.title), details: c.details && neutralizeBroadcasts(c.details) },
  );

const warningOf = (r: { warning?: unknown; response_metadata?: { warnings?: unknown } }): string | undefined => {
  if (typeof r.warning === "string" && r.warning) return r.warning;
  const list = r.response_metadata?.warnings;
  return Array.isArray(list) && list.length ? list.map(String).join(",") : undefined;
};

/**
 * NativeSlackApi over @slack/web-api's WebClient. Downloads send the bot token only to Slack's file
 * host or to the configured Web API's own origin (the console), never to a URL elsewhere.
 */
export class WebNativeSlackApi implements NativeSlackApi {
  readonly #fileOrigins: Set<string>;

  constructor(
    readonly client: webApi.WebClient,
    private readonly token: Secret,
    apiUrl?: string,
  ) {
    this.#fileOrigins = new Set(["https://files.slack.com"]);
    if (apiUrl) this.#fileOrigins.add(new URL(apiUrl).origin);
  }

  async setAgentStatus(a: SetAgentStatusArgs): Promise<Warned> {
    const r = await call("agents.sessions.setStatus", () =>
      this.client.agents.sessions.setStatus({
        channel_id: a.channel,
        thread_ts: a.threadTs,
        status: a.status,
        title: a.title && neutralizeBroadcasts(a.title),
        initiator_user_id: a.initiatorUserId,
      }),
    );
    return { warning: warningOf(r) };
  }

  async startStream(a: StartStreamArgs): Promise<{ ts: string } & Warned> {
    const r = await call("chat.startStream", () =>
      this.client.chat.startStream({
        channel: a.channel,
        thread_ts: a.threadTs,
        recipient_user_id: a.recipientUserId,
        recipient_team_id: a.recipientTeamId,
        chunks: neutralizeChunks(a.chunks),
        task_display_mode: "timeline",
      }),
    );
    if (!r.ts) throw new ErrSlackApi("chat.startStream", "no_ts");
    return { ts: r.ts, warning: warningOf(r) };
  }

  async appendStream(a: AppendStreamArgs): Promise<void> {
    await call("chat.appendStream", () =>
      this.client.chat.appendStream({ channel: a.channel, ts: a.ts, chunks: neutralizeChunks(a.chunks) }),
    );
  }

  async stopStream(a: StopStreamArgs): Promise<void> {
    await call("chat.stopStream", () =>
      this.client.chat.stopStream({
        channel: a.channel,
        ts: a.ts,
        ...(a.chunks?.length ? { chunks: neutralizeChunks(a.chunks) } : {}),
        ...(a.blocks?.length ? { blocks: neutralizeBlocks(a.blocks) } : {}),
      }),
    );
  }

  async messageFiles(a: MessageFilesArgs): Promise<SlackFile[]> {
    const inThread = a.threadTs !== undefined && a.threadTs !== a.ts;
    const r = inThread
      ? await call("conversations.replies", () =>
          this.client.conversations.replies({
            channel: a.channel,
            ts: a.threadTs!,
            oldest: a.ts,
            latest: a.ts,
            inclusive: true,
            limit: 2,
          }),
        )
      : await call("conversations.history", () =>
          this.client.conversations.history({
            channel: a.channel,
            oldest: a.ts,
            latest: a.ts,
            inclusive: true,
            limit: 1,
          }),
        );
    const parsed = MessageWithFiles.safeParse(r);
    if (!parsed.success) return [];
    const files = parsed.data.messages.find((m) => m.ts === a.ts)?.files ?? [];
    return files.flatMap((f) => {
      const file = SlackFile.safeParse(f);
      return file.success ? [file.data] : [];
    });
  }

  async download(url: string, maxBytes: number): Promise<Buffer> {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw new ErrAttachmentDownload(url, "bad_url");
    }
    if (!this.#fileOrigins.has(origin)) throw new ErrAttachmentDownload(url, "foreign_host");
    const res = await request(url, {
      headers: { authorization: `Bearer ${this.token.reveal()}` },
      headersTimeout: 15_000,
      bodyTimeout: 30_000,
      // undici 7 follows no redirect: a token is never carried to where Slack sends us.
    }).catch((err: unknown) => {
      throw new ErrAttachmentDownload(url, "request_failed", err);
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new ErrAttachmentDownload(url, `http_${res.statusCode}`);
    }
    // Slack answers a missing files:read scope with its sign-in page (HTML), not the file.
    const type = String(res.headers["content-type"] ?? "");
    if (type.startsWith("text/html")) {
      await res.body.dump();
      throw new ErrAttachmentDownload(url, "not_a_file");
    }
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new ErrAttachmentDownload(url, "too_large");
      }
      parts.push(chunk as Buffer);
    }
    return Buffer.concat(parts);
  }
}
