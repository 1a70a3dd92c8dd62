import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CodethreadError } from "../errors.js";
import {
  type Fault,
  FaultBook,
  type FaultOptions,
  faultReply,
  jsonReply,
  type Params,
  type Reply,
  rateLimitedReply,
} from "./faults.js";
import { type Identity, WebApiMethods } from "./methods.js";
import { parseParams, readBody, uploadedText } from "./request-body.js";
import { ResponseUrls } from "./response-urls.js";
import { StandardTiers, TierWindows } from "./tiers.js";
import { type FileRef, type StoredMessage, Workspace } from "./workspace.js";

/**
 * A Slack Web API on 127.0.0.1 (`slackApiUrl: api.apiUrl`): the local console's workspace and
 * the Slack fake of the tests and benchmarks — one implementation. Records every call (on
 * arrival, with what it answered once it has), checks message parameters against Slack's limits
 * (checks.ts), keeps channels and messages (workspace.ts, so conversations.replies and
 * chat.update behave), serves response_url and file-upload URLs, and can be told to fail per
 * method and per call count (`fault`, faults.ts): an error answered `ok: false` at HTTP 200
 * (`ratelimited` + Retry-After, `not_in_channel`, `msg_too_long`, …), HTTP 429 with Retry-After,
 * HTTP 500, or a hang of N ms. Optionally enforces per-method, per-workspace rate tiers.
 */
export type { Fault, FaultOptions, Params } from "./faults.js";
export { StandardTiers } from "./tiers.js";
export type { StoredMessage } from "./workspace.js";

export interface RecordedCall {
  /** Web API method, or `response_url` for a post to a slash command's response URL. */
  method: string;
  params: Params;
  /** When the call arrived. */
  at: number;
  /** What the stand-in answered: "ok", a Slack error code, "ratelimited" (HTTP 429), "http_500"; "pending" until answered. */
  outcome: string;
}

export interface SlackWebApiOptions {
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
  /** Accept only this bot token (the console's generated one). Default: any `xoxb-` token. */
  token?: string;
  /** The workspace to serve (default: a new one in memory, with the tests' fixed ts sequence). */
  workspace?: Workspace;
  /** Keep only the latest this many calls, responses and violations (default: all — tests read them). */
  recordLimit?: number;
  /** Port on 127.0.0.1 (default 0: any free one). */
  port?: number;
  /**
   * Slack's agent features (agent sessions, streaming): `refused` (default: a free workspace, or an
   * app not declared an agent — `not_allowed`), `available`, or `warn` (setStatus answers the
   * missing-event-subscription warning). See methods.ts.
   */
  agentFeatures?: "available" | "refused" | "warn";
  /** The bot token's scopes, named on every answer (`x-oauth-scopes`); default the manifest's (DefaultBotScopes). */
  scopes?: string[];
  /** Requests outside /api, /response and /upload (the console's page); resolves true when answered. */
  routes?: (req: IncomingMessage, res: ServerResponse, raw: string) => Promise<boolean> | boolean;
}

/** The stand-in could not listen (the port is taken, most likely). */
export class ErrConsoleListen extends CodethreadError {
  constructor(port: number, reason: string) {
    super("console_listen", `The local Slack console could not listen on 127.0.0.1:${port}: ${reason}`, {
      port,
      reason,
    });
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function trim<T>(list: T[], limit: number | undefined): void {
  if (limit !== undefined && list.length > limit) list.splice(0, list.length - limit);
}

/** The bot scopes manifest.yml asks for. */
export const DefaultBotScopes = [
  "commands",
  "chat:write",
  "chat:write.public",
  "app_mentions:read",
  "channels:history",
  "groups:history",
  "im:history",
  "mpim:history",
  "im:write",
  "files:write",
  "files:read",
  "users:read",
];

export class SlackWebApi {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly responses: { path: string; body: Params }[] = [];
  readonly workspace: Workspace;
  readonly responseUrls = new ResponseUrls();
  readonly identity: Identity;
  readonly #methods: WebApiMethods;
  readonly #faults = new FaultBook();
  /** Calls being held by a `hangMs` fault: serving one ends its hang early. */
  readonly #hangs = new Map<NodeJS.Timeout, () => void>();
  readonly #tiers: TierWindows;
  #server: Server | undefined;
  url = "";
  /** What `apps.connections.open` answers (Socket Mode tests). */
  socketUrl = "";
  readonly botUserId: string;
  readonly teamId: string;
  /** What `x-oauth-scopes` says (a test may drop one). */
  scopes: string[];

  constructor(readonly options: SlackWebApiOptions = {}) {
    this.botUserId = options.botUserId ?? "U0AGENTBOT";
    this.teamId = options.teamId ?? "T0AGENT01";
    this.scopes = options.scopes ?? [...DefaultBotScopes];
    this.workspace = options.workspace ?? new Workspace();
    this.identity = {
      teamId: this.teamId,
      teamName: "acme",
      botUserId: this.botUserId,
      botId: "B0AGENTBOT",
      appId: "A0AGENTAPP",
      botName: "codethread",
      users: { ...options.users },
      agentFeatures: options.agentFeatures ?? "refused",
    };
    this.#methods = new WebApiMethods(this.workspace, this.identity);
    this.#tiers = new TierWindows(options.tierWindowMs ?? 60_000);
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Messages of every channel, oldest first (the workspace's). */
  get messages(): StoredMessage[] {
    return this.workspace.messages;
  }

  get uploads(): { fileId: string; content: string }[] {
    return this.workspace.uploads;
  }

  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  async start(): Promise<this> {
    const port = this.options.port ?? 0;
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) => reject(new ErrConsoleListen(port, err.code ?? err.message)));
      server.listen(port, "127.0.0.1", resolve);
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.#hangs.keys()) clearTimeout(t);
    this.#hangs.clear();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Answer the next `count` calls of `method` (matching `when`) with `error` ("ratelimited" → HTTP 429). */
  fail(method: string, error: string, opts: FaultOptions & { retryAfterSec?: number } = {}): void {
    const fault: Fault =
      error === "ratelimited"
        ? { error, status: 429, retryAfterSec: opts.retryAfterSec ?? 1 }
        : { error, retryAfterSec: opts.retryAfterSec };
    this.fault(method, fault, opts);
  }

  /** Give `fault` to calls of `method` (a Web API method, or `response_url`); see FaultOptions. */
  fault(method: string, fault: Fault, opts: FaultOptions = {}): void {
    this.#faults.arm(method, fault, opts);
  }

  /** Serve every call held by a hang now, in the order they arrived. */
  releaseHangs(): void {
    for (const serve of [...this.#hangs.values()]) serve();
  }

  clearFailures(): void {
    this.#faults.clear();
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages of a thread (root first), as they are now. */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.workspace.thread(channel, threadTs);
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.workspace.message(channel, ts);
  }

  /** Seed a human message (for conversations.replies). */
  addMessage(m: Omit<StoredMessage, "ts"> & { ts?: string }): StoredMessage {
    return this.workspace.addMessage(m);
  }

  /**
   * A file a person shares (an image, a log), as Slack keeps it: served at its url_private with the
   * bot token only. Put it on a message's `files` to share it with the message.
   */
  addUserFile(f: { user: string; name: string; mimetype: string; content: Buffer | string }): FileRef {
    const bytes = typeof f.content === "string" ? Buffer.from(f.content, "utf8") : f.content;
    const ref: FileRef = {
      id: `F${randomBytes(8).toString("hex").toUpperCase()}`,
      name: f.name,
      title: f.name,
      filetype: /\.([a-z0-9]+)$/i.exec(f.name)?.[1]?.toLowerCase() ?? "binary",
      size: bytes.length,
      mimetype: f.mimetype,
      user: f.user,
    };
    const text = f.mimetype.startsWith("text/") ? bytes.toString("utf8") : "";
    this.workspace.addFile({ ...ref, content: text, bytes });
    return ref;
  }

  /** A file as Slack's events and listings show it (url_private on this server). */
  fileObject(f: FileRef): Params {
    return this.#methods.fileObject(f, this.url);
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
      if (Date.now() > deadline)
        throw new CodethreadError("console_wait", `Slack stand-in: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    const bytes = await readBody(req);
    const type = req.headers["content-type"] ?? "";
    if (path.startsWith("/upload/")) {
      this.#methods.upload(path.slice(8), await uploadedText(type, bytes));
      return this.#send(res, jsonReply({ ok: true }));
    }
    if (path.startsWith("/files-pri/")) return this.#download(req, res, path);
    const raw = bytes.toString("utf8");
    const isResponse = path.startsWith("/response/");
    if (!isResponse && !path.startsWith("/api/")) {
      if (this.options.routes && (await this.options.routes(req, res, raw))) return;
      return this.#send(res, {
        status: 404,
        body: "not found",
        headers: { "content-type": "text/plain" },
        outcome: "",
      });
    }
    const body = parseParams(type, raw);
    const method = isResponse ? "response_url" : path.replace(/^\/api\//, "").split("?")[0]!;
    const call: RecordedCall = { method, params: body, at: Date.now(), outcome: "pending" };
    this.calls.push(call);
    trim(this.calls, this.options.recordLimit);
    const fault = this.#faults.take(method, body);
    if (fault && "hangMs" in fault) {
      const serve = () => {
        clearTimeout(timer);
        this.#hangs.delete(timer);
        this.#serve(res, call, path, req, fault.answer);
      };
      const timer = setTimeout(serve, fault.hangMs);
      this.#hangs.set(timer, serve);
      return;
    }
    this.#serve(res, call, path, req, fault);
  }

  #serve(res: ServerResponse, call: RecordedCall, path: string, req: IncomingMessage, fault: Fault | undefined): void {
    const reply = this.#reply(call, path, req, fault);
    call.outcome = reply.outcome;
    this.#send(res, reply);
  }

  /** url_private(_download): the file's bytes with the bot token; without it, Slack's sign-in page (HTML). */
  #download(req: IncomingMessage, res: ServerResponse, path: string): void {
    const call: RecordedCall = { method: "url_private", params: { path }, at: Date.now(), outcome: "pending" };
    this.calls.push(call);
    trim(this.calls, this.options.recordLimit);
    const id = /^\/files-pri\/[^/-]+-(F\w+)\//.exec(path)?.[1];
    const file = id ? this.workspace.files.get(id) : undefined;
    const fault = this.#faults.take("url_private", { path });
    if (!this.#authorized(req, "url_private") || (fault && "error" in fault && fault.error === "missing_scope")) {
      call.outcome = "sign_in_page";
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return void res.end("<!DOCTYPE html><html><body>Sign in to Slack</body></html>");
    }
    if (!file) {
      call.outcome = "http_404";
      res.writeHead(404, { "content-type": "text/plain" });
      return void res.end("not found");
    }
    call.outcome = "ok";
    const body = file.bytes ?? Buffer.from(file.content, "utf8");
    res.writeHead(200, { "content-type": file.mimetype ?? "application/octet-stream", "content-length": body.length });
    res.end(body);
  }

  #send(res: ServerResponse, reply: Reply): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(reply.body);
  }

  #authorized(req: IncomingMessage, method: string): boolean {
    const auth = req.headers.authorization ?? "";
    if (auth.startsWith("Bearer xapp-") && method === "apps.connections.open") return true;
    if (this.options.token !== undefined) return sameToken(auth, `Bearer ${this.options.token}`);
    return auth.startsWith("Bearer xoxb-");
  }

  #reply(call: RecordedCall, path: string, req: IncomingMessage, fault: Fault | undefined): Reply {
    const { method, params: body } = call;
    if (fault && !("hangMs" in fault)) return faultReply(fault);
    if (method === "response_url") {
      this.responses.push({ path, body });
      trim(this.responses, this.options.recordLimit);
      this.responseUrls.apply(
        this.workspace,
        path.slice("/response/".length),
        body,
        this.botUserId,
        this.identity.botId,
      );
      return jsonReply({ ok: true });
    }
    if (!this.#authorized(req, method)) return jsonReply({ ok: false, error: "not_authed" });
    const limit = { ...StandardTiers, ...this.options.tiers }[method];
    if (this.options.tiers && limit !== undefined && !this.#tiers.admit(`${this.teamId}:${method}`, limit)) {
      return rateLimitedReply(this.options.retryAfterSec ?? 1);
    }
    const perChannel = this.options.channelTiers?.[method];
    const channelKey = `${this.teamId}:${method}:${String(body.channel ?? "")}`;
    if (perChannel !== undefined && !this.#tiers.admit(channelKey, perChannel)) {
      return rateLimitedReply(this.options.retryAfterSec ?? 1);
    }
    const result = this.#methods.dispatch(method, body, {
      url: this.url,
      socketUrl: this.socketUrl,
      violations: this.violations,
    });
    trim(this.violations, this.options.recordLimit);
    // Slack names the token's scopes on every answer (web-api reads them into response_metadata.scopes).
    return { ...jsonReply(result), headers: { "x-oauth-scopes": this.scopes.join(",") } };
  }
}
