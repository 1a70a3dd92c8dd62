import type { Readable } from "node:stream";
import { type Dispatcher, request } from "undici";
import type { z } from "zod";
import { excerpt, messageOf } from "../errors.js";
import { DefaultHttpErrors, type HttpCall, type HttpErrorFactory } from "./errors.js";

/** Longest a plain call may take unless the client or the call says otherwise. */
export const DefaultHttpTimeoutMs = 15_000;

export type HttpMethod = Dispatcher.HttpMethod;
export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpJsonClientOptions {
  /** Names the service in every error (`gitea`, `woodpecker`, `opencode`). */
  service: string;
  baseUrl: string;
  timeoutMs?: number;
  /**
   * Headers added to every request, computed per call so a credential is revealed only while a
   * request is sent (`() => ({ authorization: \`token ${secret.reveal()}\` })`).
   */
  headers?: () => Record<string, string>;
  errors?: Partial<HttpErrorFactory>;
  /** undici dispatcher (tests, proxies); default the global one. */
  dispatcher?: Dispatcher;
}

export interface CallOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Statuses that count as success (default: any 2xx). */
  accept?: (status: number) => boolean;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface TextResponse {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** The connection broke under the request (reset, closed by the other side), not a refusal or a timeout. */
function isStaleSocket(err: unknown): boolean {
  const codes = [err, (err as { cause?: unknown })?.cause].map((e) => (e as { code?: unknown })?.code);
  return codes.some((c) => c === "ECONNRESET" || c === "EPIPE" || c === "UND_ERR_SOCKET");
}

/**
 * One JSON-over-HTTP client on undici for every service codethread calls (OpenCode, Gitea,
 * Woodpecker). Every call is bounded by a timeout; a refused or silent server, an unaccepted
 * status and an unexpected body each become one named error carrying the service, method, path,
 * status and a bounded body excerpt (never headers, never the query string).
 */
export class HttpJsonClient {
  readonly baseUrl: string;
  readonly service: string;
  readonly #options: HttpJsonClientOptions;
  readonly #errors: HttpErrorFactory;
  readonly #timeoutMs: number;

  constructor(options: HttpJsonClientOptions) {
    this.#options = options;
    this.service = options.service;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#errors = { ...DefaultHttpErrors, ...options.errors };
    this.#timeoutMs = options.timeoutMs ?? DefaultHttpTimeoutMs;
  }

  /** A call whose 2xx body is JSON of `schema`'s shape. */
  async json<T>(method: HttpMethod, path: string, schema: z.ZodType<T>, options: CallOptions = {}): Promise<T> {
    const { text } = await this.text(method, path, options);
    return this.parse(method, path, text, schema);
  }

  /** Validate a body already read (e.g. of a status the caller accepted). */
  parse<T>(method: HttpMethod, path: string, text: string, schema: z.ZodType<T>): T {
    const call = this.#call(method, path);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.#errors.body(call, "a body that is not JSON", { body: excerpt(text) });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw this.#errors.body(call, "an unexpected body", {
        body: excerpt(text),
        issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`),
      });
    }
    return parsed.data;
  }

  /** A call whose body is read as text (empty bodies, plain-text answers). */
  async text(method: HttpMethod, path: string, options: CallOptions = {}): Promise<TextResponse> {
    const res = await this.#send(method, path, options, false);
    try {
      return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
    } catch (err) {
      throw this.#errors.unreachable(this.#call(method, path), messageOf(err), err);
    }
  }

  /**
   * A streaming body (server-sent events). Only the connection and the headers are bounded by the
   * timeout; the body is read until `signal` aborts.
   */
  async stream(method: HttpMethod, path: string, options: CallOptions & { signal: AbortSignal }): Promise<Readable> {
    const res = await this.#send(method, path, options, true);
    return res.body;
  }

  #call(method: string, path: string): HttpCall {
    return { service: this.service, method, path };
  }

  async #send(method: HttpMethod, path: string, options: CallOptions, stream: boolean) {
    const call = this.#call(method, path);
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      accept: stream ? "text/event-stream" : "application/json",
      ...this.#options.headers?.(),
      ...options.headers,
    };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    // A stream's body outlives the timeout: only the caller's signal may end it.
    const connectSignal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const send = () =>
      request(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: stream ? options.signal : connectSignal,
        headersTimeout: timeoutMs,
        bodyTimeout: stream ? 0 : timeoutMs,
        dispatcher: this.#options.dispatcher,
      });
    let res: Dispatcher.ResponseData;
    try {
      res = await send().catch((err: unknown) => {
        // A kept-alive connection the server closed as it was reused: a read is safe to send once more.
        if ((method === "GET" || method === "HEAD") && isStaleSocket(err) && !connectSignal.aborted) return send();
        throw err;
      });
    } catch (err) {
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : messageOf(err);
      throw this.#errors.unreachable(call, reason, err);
    }
    if (!(options.accept ?? is2xx)(res.statusCode)) {
      const text = await res.body.text().catch(() => "");
      throw this.#errors.status(call, res.statusCode, excerpt(text));
    }
    return res;
  }
}
