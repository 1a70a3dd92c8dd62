import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkMessage } from "./fake-slack-checks.js";
import { fixture } from "./slack-signing.js";

/**
 * A fake Slack Web API on 127.0.0.1 (`slackApiUrl: fake.apiUrl`). Records every call (on arrival,
 * with what it answered once it has), checks message parameters against Slack's limits, keeps
 * channel histories (so conversations.replies and chat.update behave), serves response_url and
 * file-upload URLs, and can be told to fail per method and per call count (`fault`): an error
 * answered `ok: false` at HTTP 200 (`ratelimited` + Retry-After, `not_in_channel`, `msg_too_long`,
 * …), HTTP 429 with Retry-After, HTTP 500, or a hang of N ms. Optionally enforces per-method,
 * per-workspace rate tiers like Slack does.
 */
export type Params = Record<string, unknown>;

export interface RecordedCall {
  /** Web API method, or `response_url` for a post to a slash command's response URL. */
  method: string;
  params: Params;
  /** When the call arrived. */
  at: number;
  /** What the fake answered: "ok", a Slack error code, "ratelimited" (HTTP 429), "http_500"; "pending" until answered. */
  outcome: string;
}

/**
 * What a faulty call gets: `error` answered as `{ok: false, error}` (HTTP `status`, default 200,
 * with `Retry-After` when `retryAfterSec` is set); `status` alone answered as that HTTP status;
 * `hangMs`: the answer is held that long, then the call is served normally.
 */
export type Fault =
  | { error: string; status?: number; retryAfterSec?: number }
  | { status: number }
  | { hangMs: number };

export interface FaultOptions {
  /** How many matching calls get the fault (default 1). */
  count?: number;
  /** Let this many matching calls through first (default 0): "fail the 3rd call" is `{ skip: 2 }`. */
  skip?: number;
  /** Only calls whose parameters match. */
  when?: (p: Params) => boolean;
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
  fault: Fault;
  skip: number;
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

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** What the call's record says it got. */
  outcome: string;
}

function json(result: Params): Reply {
  return { status: 200, body: JSON.stringify(result), outcome: result.ok ? "ok" : String(result.error) };
}

function rateLimited(retryAfterSec: number): Reply {
  return {
    status: 429,
    body: JSON.stringify({ ok: false, error: "ratelimited" }),
    headers: { "retry-after": String(retryAfterSec) },
    outcome: "ratelimited",
  };
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly responses: { path: string; body: Params }[] = [];
  readonly messages: StoredMessage[] = [];
  readonly uploads: { fileId: string; content: string }[] = [];
  #failures: Failure[] = [];
  /** Calls being held by a `hangMs` fault: serving one ends its hang early. */
  readonly #hangs = new Map<NodeJS.Timeout, () => void>();
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
    for (const t of this.#hangs.keys()) clearTimeout(t);
    this.#hangs.clear();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Answer the next `count` calls of `method` (matching `when`) with `error` ("ratelimited" → HTTP 429). */
  fail(method: string, error: string, opts: FaultOptions & { retryAfterSec?: number } = {}) {
    const fault: Fault =
      error === "ratelimited"
        ? { error, status: 429, retryAfterSec: opts.retryAfterSec ?? 1 }
        : { error, retryAfterSec: opts.retryAfterSec };
    this.fault(method, fault, opts);
  }

  /** Give `fault` to calls of `method` (a Web API method, or `response_url`); see FaultOptions. */
  fault(method: string, fault: Fault, opts: FaultOptions = {}): void {
    this.#failures.push({ method, fault, skip: opts.skip ?? 0, remaining: opts.count ?? 1, when: opts.when });
  }

  /** Serve every call held by a hang now, in the order they arrived. */
  releaseHangs(): void {
    for (const serve of [...this.#hangs.values()]) serve();
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

  /** Wait until a call of `method` matching `pred` has arrived (answered or not). */
  waitForCall(method: string, pred: (c: RecordedCall) => boolean = () => true, what = method): Promise<RecordedCall> {
    return this.waitFor(() => this.calls.find((c) => c.method === method && pred(c)), `a ${what} call`);
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
    const isResponse = path.startsWith("/response/");
    const method = isResponse ? "response_url" : path.replace(/^\/api\//, "").split("?")[0]!;
    const call: RecordedCall = { method, params: body, at: Date.now(), outcome: "pending" };
    this.calls.push(call);
    const failure = this.#takeFailure(method, body);
    if (failure && "hangMs" in failure) {
      const serve = () => {
        clearTimeout(timer);
        this.#hangs.delete(timer);
        this.#serve(res, call, path, req, undefined);
      };
      const timer = setTimeout(serve, failure.hangMs);
      this.#hangs.set(timer, serve);
      return;
    }
    this.#serve(res, call, path, req, failure);
  }

  /** The first fault armed for this call, counting it down (after its `skip`). */
  #takeFailure(method: string, body: Params): Fault | undefined {
    for (const f of this.#failures) {
      if (f.method !== method || f.remaining <= 0 || (f.when && !f.when(body))) continue;
      if (f.skip > 0) {
        f.skip -= 1;
        continue;
      }
      f.remaining -= 1;
      return f.fault;
    }
    return undefined;
  }

  #serve(res: ServerResponse, call: RecordedCall, path: string, req: IncomingMessage, fault: Fault | undefined): void {
    const reply = this.#reply(call, path, req, fault);
    call.outcome = reply.outcome;
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(reply.body);
  }

  #reply(call: RecordedCall, path: string, req: IncomingMessage, fault: Fault | undefined): Reply {
    const { method, params: body } = call;
    if (fault && !("hangMs" in fault)) return this.#faulty(fault);
    if (method === "response_url") {
      this.responses.push({ path, body });
      return json({ ok: true });
    }
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer xoxb-") && !(auth.startsWith("Bearer xapp-") && method === "apps.connections.open"))
      return json({ ok: false, error: "not_authed" });
    const limit = { ...StandardTiers, ...this.options.tiers }[method];
    if (this.options.tiers && limit !== undefined && !this.#withinTier(method, limit)) {
      return rateLimited(this.options.retryAfterSec ?? 1);
    }
    const perChannel = this.options.channelTiers?.[method];
    if (perChannel !== undefined && !this.#withinTier(`${method}:${String(body.channel ?? "")}`, perChannel)) {
      return rateLimited(this.options.retryAfterSec ?? 1);
    }
    return json(this.#dispatch(method, body));
  }

  #faulty(fault: Exclude<Fault, { hangMs: number }>): Reply {
    if ("error" in fault) {
      if (fault.status === 429) return rateLimited(fault.retryAfterSec ?? 1);
      const headers: Record<string, string> = {};
      if (fault.retryAfterSec !== undefined) headers["retry-after"] = String(fault.retryAfterSec);
      return { ...json({ ok: false, error: fault.error }), status: fault.status ?? 200, headers };
    }
    return {
      status: fault.status,
      body: fault.status >= 500 ? "upstream connect error" : "error",
      headers: { "content-type": "text/plain" },
      outcome: `http_${fault.status}`,
    };
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
      case "conversations.open": {
        const user = String(p.users ?? "").split(",")[0] ?? "";
        if (!user) return { ok: false, error: "users_list_not_supplied" };
        return { ok: true, channel: { id: `D${user.replace(/^U/, "")}` } };
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
