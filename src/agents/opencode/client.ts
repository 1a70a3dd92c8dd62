import type { Readable } from "node:stream";
import type { z } from "zod";
import { HttpJsonClient, type HttpMethod } from "../../http/json-client.js";
import type { Secret } from "../../secret.js";
import { ErrAgentProtocol } from "../errors.js";
import { ErrOpenCodeHttp, ErrOpenCodeUnreachable } from "./errors.js";
import type { PermissionRule } from "./permissions.js";
import { Health, Messages, type MessageWithParts, SessionInfo, SessionStatusMap } from "./schemas.js";

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
 * The OpenCode server's HTTP API (v1 routes, 1.18.33), on the shared HttpJsonClient. Every call
 * has a timeout; every non-2xx becomes `ErrOpenCodeHttp` (method, path, status, body excerpt); a
 * refused or silent server becomes `ErrOpenCodeUnreachable`; an unexpected body `ErrAgentProtocol`. The directory of the run is sent as
 * `?directory=` so the server picks the right instance.
 */
export class OpenCodeClient {
  readonly baseUrl: string;
  readonly #http: HttpJsonClient;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    const { password, username = "opencode" } = options;
    this.#http = new HttpJsonClient({
      service: "opencode",
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: password
        ? () => ({ authorization: `Basic ${Buffer.from(`${username}:${password.reveal()}`).toString("base64")}` })
        : undefined,
      errors: {
        status: (call, status, body) => new ErrOpenCodeHttp(call.method, call.path, status, body),
        unreachable: (call, reason, cause) => new ErrOpenCodeUnreachable(call.method, call.path, reason, cause),
        body: (call, detail, context) =>
          new ErrAgentProtocol("opencode", `${call.method} ${call.path} returned ${detail}`, context),
      },
    });
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
    return this.#http.stream("GET", path, { query: { directory }, signal });
  }

  #json<T>(
    method: HttpMethod,
    path: string,
    query: Query,
    body: unknown,
    schema: z.ZodType<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.#http.json(method, path, schema, { query, body, signal });
  }

  async #call(method: HttpMethod, path: string, query: Query, body?: unknown, signal?: AbortSignal) {
    return (await this.#http.text(method, path, { query, body, signal })).text;
  }
}
