import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { spawnProcess } from "../../src/process/spawn.js";

/**
 * Real git over HTTP for tests: `git http-backend` run as a CGI program per request, serving the
 * bare repositories under `rootDir` at `<url>/<path relative to rootDir>`. With `requireAuth`,
 * a request without exactly that `Authorization` header gets 401 and a Basic challenge, as a
 * forge does; an authorized request gets REMOTE_USER, which lets http-backend accept pushes.
 * Binds 127.0.0.1 on a free port.
 */

export interface GitHttpOptions {
  /** The exact `Authorization` header value every request must carry. Absent: anyone may read and push. */
  requireAuth?: string;
  /** REMOTE_USER of authorized requests. Default `codethread-bot`. */
  user?: string;
}

export interface GitHttpRequest {
  method: string;
  path: string;
  auth: "ok" | "missing" | "wrong" | "not_required";
  /** The request carried an Authorization header (whatever its value). */
  sentAuthorization: boolean;
  status: number;
}

export interface GitHttpServer {
  url: string;
  /** Every request, in arrival order. */
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

export function basicAuthHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export async function serveGitHttp(rootDir: string, options: GitHttpOptions = {}): Promise<GitHttpServer> {
  const requests: GitHttpRequest[] = [];
  const server = createServer((req, res) => {
    const given = req.headers.authorization;
    const auth: GitHttpRequest["auth"] =
      options.requireAuth === undefined
        ? "not_required"
        : given === undefined
          ? "missing"
          : given === options.requireAuth
            ? "ok"
            : "wrong";
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const record: GitHttpRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      auth,
      sentAuthorization: given !== undefined,
      status: 0,
    };
    requests.push(record);
    if (auth === "missing" || auth === "wrong") {
      record.status = 401;
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" });
      res.end("Unauthorized\n");
      return;
    }
    serveGitRequest(req, res, {
      projectRoot: rootDir,
      pathInfo: decodeURIComponent(url.pathname),
      query: url.search.replace(/^\?/, ""),
      remoteUser: auth === "ok" ? (options.user ?? "codethread-bot") : undefined,
      onStatus: (status) => {
        record.status = status;
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * One smart-HTTP request handed to the real `git http-backend` as CGI (what this server and the
 * fake Gitea's git routes both do): `pathInfo` is the repository path under `projectRoot` plus the
 * service path; REMOTE_USER (an authorized caller) lets http-backend accept pushes.
 */
export function serveGitRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: {
    projectRoot: string;
    pathInfo: string;
    query: string;
    remoteUser?: string;
    onStatus?: (status: number) => void;
  },
): void {
  const { remoteUser } = options;
  const onStatus = options.onStatus ?? (() => undefined);
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(", ") : (v ?? "");
  };
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: options.pathInfo,
    QUERY_STRING: options.query,
    CONTENT_TYPE: header("content-type"),
    REMOTE_ADDR: "127.0.0.1",
    GIT_PROTOCOL: header("git-protocol"),
    HTTP_CONTENT_ENCODING: header("content-encoding"),
  };
  if (req.headers["content-length"]) env.CONTENT_LENGTH = header("content-length");
  if (remoteUser) env.REMOTE_USER = remoteUser;
  const cgi = spawnProcess({ bin: "git", args: ["http-backend"], env, stdin: "pipe" });
  if (cgi.stdin) req.pipe(cgi.stdin);
  else req.resume();
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (started) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n") >= 0 ? head.indexOf("\r\n\r\n") : head.indexOf("\n\n");
    if (end < 0) return;
    const sep = head[end] === 0x0d ? 4 : 2;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
      else headers[name] = value;
    }
    started = true;
    onStatus(status);
    res.writeHead(status, headers);
    res.write(head.subarray(end + sep));
  });
  cgi.stdout.on("end", () => {
    if (!started) {
      onStatus(502);
      res.writeHead(502, { "Content-Type": "text/plain" });
    }
    res.end();
  });
}
