import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SwaggerContract } from "./swagger-contract.js";

export interface FakeRequest {
  method: string;
  /** Path after the API base (`/repos/acme/x`), as the spec names it. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** Parsed JSON body; undefined when there is none. */
  body: unknown;
}

export interface FakeResponse {
  status: number;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as text/plain (Woodpecker's errors); "" for an empty body. */
  text?: string;
  headers?: Record<string, string>;
}

export interface Exchange {
  method: string;
  path: string;
  status: number;
  authorization?: string;
  body?: unknown;
}

/**
 * An HTTP fake on 127.0.0.1:0 whose API requests and responses are all checked against a spec.
 * Every problem lands in `violations` (tests assert it stays empty); a request the spec does not
 * describe is answered 400 so the client under test fails visibly too. `raw` handles what is not
 * API (git smart HTTP).
 */
export class ContractServer {
  readonly violations: string[] = [];
  readonly exchanges: Exchange[] = [];
  #server?: Server;
  url = "";

  constructor(
    readonly name: string,
    private readonly contract: SwaggerContract,
    private readonly toApiPath: (path: string) => string | undefined,
    private readonly route: (req: FakeRequest) => Promise<FakeResponse>,
    private readonly raw?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean,
  ) {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.violations.push(`${this.name} fake crashed on ${req.method} ${req.url}: ${String(err)}`);
        if (!res.headersSent) res.writeHead(500).end("fake crashed");
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server!.close(r));
  }

  /** What the client sent: every API call, in order. */
  calls(method?: string, path?: RegExp): Exchange[] {
    return this.exchanges.filter((e) => (!method || e.method === method) && (!path || path.test(e.path)));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const apiPath = this.toApiPath(url.pathname);
    if (apiPath === undefined) {
      if (this.raw?.(req, res, url)) return;
      res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        this.violations.push(`${req.method} ${apiPath}: the request body is not JSON`);
        res.writeHead(400).end("request body is not JSON");
        return;
      }
    }
    const method = req.method ?? "GET";
    const fakeReq: FakeRequest = { method, path: apiPath, query: url.searchParams, headers: req.headers, body };
    const problems = this.contract.checkRequest(fakeReq);
    let answer: FakeResponse;
    if (problems.length) {
      this.violations.push(...problems.map((p) => `request: ${p}`));
      answer = { status: 400, text: `contract violation: ${problems.join("; ")}` };
    } else {
      answer = await this.route(fakeReq);
      const found = this.contract.checkResponse({ method, path: apiPath, status: answer.status, body: answer.json });
      this.violations.push(...found.map((p) => `response: ${p}`));
    }
    this.exchanges.push({
      method,
      path: apiPath,
      status: answer.status,
      authorization: req.headers.authorization,
      body,
    });
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.json !== undefined) {
      headers["content-type"] = "application/json;charset=utf-8";
      res.writeHead(answer.status, headers).end(JSON.stringify(answer.json));
    } else {
      if (answer.text) headers["content-type"] = "text/plain; charset=utf-8";
      res.writeHead(answer.status, headers).end(answer.text ?? "");
    }
  }
}
