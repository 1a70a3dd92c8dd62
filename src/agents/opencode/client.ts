import type { Readable } from "node:stream";
import { type Dispatcher, request } from "undici";
import type { z } from "zod";
import { excerpt, messageOf } from "../../errors.js";
import type { Secret } from "../../secret.js";
import { ErrAgentProtocol } from "../errors.js";
import { ErrOpenCodeHttp, ErrOpenCodeUnreachable } from "./errors.js";
import type { PermissionRule } from "./permissions.js";
import { Health, Messages, type MessageWithParts, SessionInfo, SessionStatusMap } from "./schemas.js";

/** Longest any plain HTTP call may take (the event stream has its own watchdog). */
export const DefaultHttpTimeoutMs = 15_000;

export interface ClientOptions {
  baseUrl: string;
  username?: string;
  password?: Secret;
  timeoutMs?: number;
}

export interface PromptBody {
  parts: { type: "text"; text: string }[];
  model?: { providerID: string; modelID: string };
  agent?: string;
}

type Query = Record<string, string | undefined>;

/** `provider/model` → the prompt's `model` field; anything else leaves the server's default. */
export function promptModel(model: string | undefined): Pick<PromptBody, "model"> {
  const i = model?.indexOf("/") ?? -1;
  if (!model || i <= 0) return {};
  return { model: { providerID: model.slice(0, i), modelID: model.slice(i + 1) } };
}

/**
 * The OpenCode server's HTTP API (v1 routes, 1.18.33), on undici. Every call has a timeout;
 * every non-2xx becomes `ErrOpenCodeHttp` (method, path, status, body excerpt); a refused or
 * silent server becomes `ErrOpenCodeUnreachable`. The directory of the run is sent as
 * `?directory=` so the server picks the right instance.
 */
export class OpenCodeClient {
  readonly baseUrl: string;
  readonly #auth?: string;
  readonly #timeoutMs: number;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    if (options.password) {
      const user = options.username ?? "opencode";
      this.#auth = `Basic ${Buffer.from(`${user}:${options.password.reveal()}`).toString("base64")}`;
    }
    this.#timeoutMs = options.timeoutMs ?? DefaultHttpTimeoutMs;
  }

  health(signal?: AbortSignal): Promise<z.infer<typeof Health>> {
    return this.#json("GET", "/global/health", {}, undefined, Health, signal);
  }

  createSession(directory: string, body: { title: string; permission?: PermissionRule[] }): Promise<SessionInfo> {
    return this.#json("POST", "/session", { directory }, body, SessionInfo);
  }

  getSession(directory: string, id: string): Promise<SessionInfo> {
    return this.#json("GET", `/session/${encodeURIComponent(id)}`, { directory }, undefined, SessionInfo);
  }

  updateSession(directory: string, id: string, body: { permission?: PermissionRule[] }): Promise<SessionInfo> {
    return this.#json("PATCH", `/session/${encodeURIComponent(id)}`, { directory }, body, SessionInfo);
  }

  async promptAsync(directory: string, id: string, body: PromptBody): Promise<void> {
    await this.#call("POST", `/session/${encodeURIComponent(id)}/prompt_async`, { directory }, body);
  }

  messages(directory: string, id: string): Promise<MessageWithParts[]> {
    return this.#json("GET", `/session/${encodeURIComponent(id)}/message`, { directory }, undefined, Messages);
  }

  sessionStatus(directory: string): Promise<z.infer<typeof SessionStatusMap>> {
    return this.#json("GET", "/session/status", { directory }, undefined, SessionStatusMap);
  }

  async abort(directory: string, id: string): Promise<void> {
    await this.#call("POST", `/session/${encodeURIComponent(id)}/abort`, { directory });
  }

  async replyPermission(directory: string, requestId: string, reply: "once" | "always" | "reject", message?: string) {
    const body = message ? { reply, message } : { reply };
    await this.#call("POST", `/permission/${encodeURIComponent(requestId)}/reply`, { directory }, body);
  }

  async replyQuestion(directory: string, requestId: string, answers: string[][]): Promise<void> {
    await this.#call("POST", `/question/${encodeURIComponent(requestId)}/reply`, { directory }, { answers });
  }

  async rejectQuestion(directory: string, requestId: string): Promise<void> {
    await this.#call("POST", `/question/${encodeURIComponent(requestId)}/reject`, { directory });
  }

  /**
   * Open an SSE stream (`/event` for one directory, `/global/event` for all). Only the
   * connection and headers are bounded by the timeout; the body is read until `signal` aborts.
   */
  async openEvents(
    path: "/event" | "/global/event",
    directory: string | undefined,
    signal: AbortSignal,
  ): Promise<Readable> {
    const res = await this.#send("GET", path, { directory }, undefined, signal, { stream: true });
    return res.body;
  }

  async #json<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    query: Query,
    body: unknown,
    schema: z.ZodType<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const text = await this.#call(method, path, query, body, signal);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ErrAgentProtocol("opencode", `${method} ${path} returned a body that is not JSON`, {
        body: excerpt(text),
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new ErrAgentProtocol("opencode", `${method} ${path} returned an unexpected body`, {
        body: excerpt(text),
        issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`),
      });
    }
    return parsed.data;
  }

  async #call(method: Dispatcher.HttpMethod, path: string, query: Query, body?: unknown, signal?: AbortSignal) {
    const res = await this.#send(method, path, query, body, signal, { stream: false });
    try {
      return await res.body.text();
    } catch (err) {
      throw new ErrOpenCodeUnreachable(method, path, messageOf(err), err);
    }
  }

  async #send(
    method: Dispatcher.HttpMethod,
    path: string,
    query: Query,
    body: unknown,
    signal: AbortSignal | undefined,
    mode: { stream: boolean },
  ): Promise<Dispatcher.ResponseData> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: mode.stream ? "text/event-stream" : "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.#auth) headers.authorization = this.#auth;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    // A stream's body outlives the timeout: only the caller's signal may end it.
    const connectSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: mode.stream ? signal : connectSignal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: mode.stream ? 0 : this.#timeoutMs,
      });
    } catch (err) {
      const reason = timeout.aborted ? `no answer within ${this.#timeoutMs} ms` : messageOf(err);
      throw new ErrOpenCodeUnreachable(method, path, reason, err);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.body.text().catch(() => "");
      throw new ErrOpenCodeHttp(method, path, res.statusCode, excerpt(text));
    }
    return res;
  }
}
