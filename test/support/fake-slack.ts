import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkMessage } from "./fake-slack-checks.js";
import { fixture } from "./slack-signing.js";

/**
 * A fake Slack Web API on 127.0.0.1 (`slackApiUrl: fake.apiUrl`). Records every call, checks
 * message parameters against Slack's limits, keeps channel histories (so conversations.replies
 * and chat.update behave), serves response_url and file-upload URLs, and can be told to fail:
 * `ratelimited` with Retry-After, `not_in_channel`, `msg_too_long`, … Optionally enforces
 * per-method, per-workspace rate tiers like Slack does.
 */
export type Params = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  params: Params;
  at: number;
  /** What the fake answered: "ok", a Slack error code, or "ratelimited". */
  outcome: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks?: unknown;
}

interface Failure {
  method: string;
  error: string;
  retryAfterSec?: number;
  remaining: number;
  when?: (p: Params) => boolean;
}

export interface FakeSlackOptions {
  botUserId?: string;
  teamId?: string;
  /** Calls per minute per (method, team) — e.g. { "chat.update": 50 } for Tier 3. Exceeding answers 429. */
  tiers?: Record<string, number>;
  /** Calls per minute per (method, channel), e.g. { "chat.postMessage": 60 } (Slack: ~1 message/s/channel). */
  channelTiers?: Record<string, number>;
  /** Length of the tier window in ms (60,000; benchmarks compress it). */
  tierWindowMs?: number;
  /** Retry-After seconds for tier 429s. */
  retryAfterSec?: number;
  /** Display names users.info knows, by user id; other ids answer `user_not_found`. */
  users?: Record<string, string>;
}

const StandardTiers: Record<string, number> = {
  "chat.update": 50,
  "chat.postEphemeral": 100,
  "conversations.replies": 50,
};

export { StandardTiers };

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly responses: { path: string; body: Params }[] = [];
  readonly messages: StoredMessage[] = [];
  readonly uploads: { fileId: string; content: string }[] = [];
  #failures: Failure[] = [];
  #server: Server | undefined;
  #seq = 0;
  #windows = new Map<string, number[]>();
  url = "";
  /** What `apps.connections.open` answers (Socket Mode tests). */
  socketUrl = "";
  readonly botUserId: string;
  readonly teamId: string;

  constructor(readonly options: FakeSlackOptions = {}) {
    this.botUserId = options.botUserId ?? "U0AGENTBOT";
    this.teamId = options.teamId ?? "T0AGENT01";
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Answer the next `count` calls of `method` (matching `when`) with `error` ("ratelimited" → HTTP 429). */
  fail(
    method: string,
    error: string,
    opts: { count?: number; retryAfterSec?: number; when?: (p: Params) => boolean } = {},
  ) {
    this.#failures.push({
      method,
      error,
      remaining: opts.count ?? 1,
      retryAfterSec: opts.retryAfterSec,
      when: opts.when,
    });
  }

  clearFailures(): void {
    this.#failures = [];
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages of a thread (root first), as they are now. */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.messages.filter((m) => m.channel === channel && (m.ts === threadTs || m.threadTs === threadTs));
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** Seed a human message (for conversations.replies). */
  addMessage(m: Omit<StoredMessage, "ts"> & { ts?: string }): StoredMessage {
    const msg = { ...m, ts: m.ts ?? this.#nextTs() };
    this.messages.push(msg);
    return msg;
  }

  async waitFor<T>(probe: () => T | undefined | false, what = "condition", timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`fake Slack: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  #nextTs(): string {
    this.#seq += 1;
    return `1767300000.${String(this.#seq).padStart(6, "0")}`;
  }

  async #raw(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  #parse(req: IncomingMessage, raw: string): Params {
    if ((req.headers["content-type"] ?? "").includes("application/json")) return raw ? (JSON.parse(raw) as Params) : {};
    const params: Params = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      params[k] = (k === "blocks" || k === "attachments" || k === "files") && v.startsWith("[") ? JSON.parse(v) : v;
    }
    return params;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    const raw = await this.#raw(req);
    if (path.startsWith("/upload/")) {
      this.uploads.push({ fileId: path.slice(8), content: raw });
      return this.#send(res, 200, { ok: true });
    }
    const body = this.#parse(req, raw);
    if (path.startsWith("/response/")) {
      this.responses.push({ path, body });
      return this.#send(res, 200, { ok: true });
    }
    const method = path.replace(/^\/api\//, "").split("?")[0]!;
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer xoxb-") && !(auth.startsWith("Bearer xapp-") && method === "apps.connections.open"))
      return this.#answer(res, method, body, { ok: false, error: "not_authed" });

    const failure = this.#failures.find((f) => f.method === method && f.remaining > 0 && (!f.when || f.when(body)));
    if (failure) {
      failure.remaining -= 1;
      if (failure.error === "ratelimited") return this.#rateLimited(res, method, body, failure.retryAfterSec ?? 1);
      return this.#answer(res, method, body, { ok: false, error: failure.error });
    }
    const limit = { ...StandardTiers, ...this.options.tiers }[method];
    if (this.options.tiers && limit !== undefined && !this.#withinTier(method, limit)) {
      return this.#rateLimited(res, method, body, this.options.retryAfterSec ?? 1);
    }
    const perChannel = this.options.channelTiers?.[method];
    if (perChannel !== undefined && !this.#withinTier(`${method}:${String(body.channel ?? "")}`, perChannel)) {
      return this.#rateLimited(res, method, body, this.options.retryAfterSec ?? 1);
    }
    return this.#answer(res, method, body, this.#dispatch(method, body));
  }

  #withinTier(method: string, perWindow: number): boolean {
    const now = Date.now();
    const window = this.options.tierWindowMs ?? 60_000;
    const key = `${this.teamId}:${method}`;
    const hits = (this.#windows.get(key) ?? []).filter((t) => t > now - window);
    if (hits.length >= perWindow) {
      this.#windows.set(key, hits);
      return false;
    }
    hits.push(now);
    this.#windows.set(key, hits);
    return true;
  }

  #rateLimited(res: ServerResponse, method: string, params: Params, retryAfterSec: number): void {
    this.calls.push({ method, params, at: Date.now(), outcome: "ratelimited" });
    res.writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfterSec) });
    res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
  }

  #answer(res: ServerResponse, method: string, params: Params, result: Params): void {
    this.calls.push({ method, params, at: Date.now(), outcome: result.ok ? "ok" : String(result.error) });
    this.#send(res, 200, result);
  }

  #send(res: ServerResponse, status: number, body: Params): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  #dispatch(method: string, p: Params): Params {
    const channel = String(p.channel ?? p.channel_id ?? "");
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          user_id: this.botUserId,
          bot_id: "B0AGENTBOT",
          team_id: this.teamId,
          team: "acme",
          user: "codethread",
        };
      case "chat.postMessage":
      case "chat.update": {
        const check = checkMessage(method, p);
        if (check.error) {
          this.violations.push(...check.problems.map((x) => `${method}: ${x}`));
          return { ok: false, error: check.error, errors: check.problems };
        }
        if (method === "chat.update") {
          const m = this.message(channel, String(p.ts));
          if (!m) return { ok: false, error: "message_not_found" };
          Object.assign(m, { text: String(p.text ?? ""), blocks: p.blocks });
          return { ok: true, channel, ts: m.ts, text: m.text };
        }
        const threadTs = typeof p.thread_ts === "string" && p.thread_ts ? p.thread_ts : undefined;
        const m = this.addMessage({
          channel,
          threadTs,
          user: this.botUserId,
          text: String(p.text ?? ""),
          blocks: p.blocks,
        });
        return { ok: true, channel, ts: m.ts, message: { ...m, bot_id: "B0AGENTBOT" } };
      }
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.#nextTs() };
      case "conversations.replies": {
        const msgs = this.thread(channel, String(p.ts)).map((m) => ({
          type: "message",
          user: m.user,
          text: m.text,
          ts: m.ts,
          thread_ts: m.threadTs ?? m.ts,
          ...(m.user === this.botUserId ? { bot_id: "B0AGENTBOT" } : {}),
        }));
        return { ok: true, messages: msgs, has_more: false };
      }
      case "apps.connections.open":
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: "invalid_auth" };
      case "assistant.threads.setStatus":
        return { ok: true };
      case "users.info": {
        const id = String(p.user ?? "");
        const name = this.options.users?.[id];
        if (!name) return { ok: false, error: "user_not_found" };
        const sample = fixture<{ user: Params & { profile: Params } }>("web.users.info.ok.json");
        return {
          ok: true,
          user: { ...sample.user, id, name, profile: { ...sample.user.profile, display_name: name } },
        };
      }
      case "files.getUploadURLExternal": {
        const id = `F${this.#nextTs().replace(".", "")}`;
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal":
        return {
          ok: true,
          files: (Array.isArray(p.files) ? p.files : []).map((f) => ({
            id: (f as Params).id,
            title: (f as Params).title,
          })),
        };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}
