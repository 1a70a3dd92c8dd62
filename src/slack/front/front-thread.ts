/**
 * The Slack front: a worker thread that owns the HTTP listener, so Slack gets its answer within
 * milliseconds however busy the bot's own event loop is (a burst of `/agent` commands starts runs,
 * writes to the database and calls Slack on that loop; docs/BENCHMARKS.md, "Embedded default").
 *
 * Per request to Slack's endpoint: read the body (at most `bodyLimitBytes`, else 413), answer an
 * `ssl_check`, check the signature and the timestamp (401), parse (400), answer a `url_verification`,
 * then hand the request to the bot and wait for its ack. If the ack has not come after
 * `ackDeadlineMs` and the bot was heard from within `aliveWindowMs` (it is busy, not stuck), the
 * front answers 200 for it; the bot's ack body then goes to the response_url (front-receiver.ts).
 * A bot not heard from gets until `slackDeadlineMs`, then Slack gets a 503 — and retries an event —
 * rather than a 200 for work nobody took. A view submission or an options request, whose answer
 * exists only in the HTTP response, always waits for the bot, up to `slackDeadlineMs`.
 *
 * Anything else (GET /healthz, /readyz, /metrics) is passed through to the bot's own small server on
 * 127.0.0.1, so health reflects the bot's loop, not this thread's.
 *
 * Imports stay small on purpose: node's http and Bolt's signature check (node:crypto and tsscmp);
 * the bot's code, zod and pino are not loaded here.
 */
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { verifySlackRequest } from "@slack/bolt/dist/receivers/verify-request.js";
import type { BotMessage, FrontMessage, FrontSettings } from "./protocol.js";
import { isSslCheck, parseSlackRequestBody } from "./request-body.js";

const settings = workerData as FrontSettings;
const WarmUpHeader = "x-codethread-warm-up";
const port = parentPort!;
const post = (m: FrontMessage) => port.postMessage(m);

/** A request waiting for the bot's ack. */
interface Waiting {
  res: ServerResponse;
  timer: NodeJS.Timeout;
  arrivedAt: number;
  answerLater: boolean;
}

/** Bounded by the requests Slack has open: each leaves by `slackDeadlineMs` at the latest. */
const waiting = new Map<number, Waiting>();
let nextId = 0;
let heardAt = performance.now();
let closing = false;

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined || body === null || body === "") res.writeHead(status).end();
  else if (typeof body === "string") res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body);
  else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** Slack's request leaves the map with this answer; false when it already had one. */
function settle(id: number, status: number, by: "bot" | "front", body?: unknown): boolean {
  const w = waiting.get(id);
  if (!w) return false;
  waiting.delete(id);
  clearTimeout(w.timer);
  answer(w.res, status, body);
  post({ t: "answered", by: status < 400 ? by : "refused", ms: performance.now() - w.arrivedAt });
  if (closing && waiting.size === 0) finishClose();
  return true;
}

function onDeadline(id: number): void {
  const w = waiting.get(id);
  if (!w) return;
  const now = performance.now();
  const waited = now - w.arrivedAt;
  if (w.answerLater && now - heardAt <= settings.aliveWindowMs) {
    settle(id, 200, "front");
    return;
  }
  if (waited >= settings.slackDeadlineMs) {
    settle(id, 503, "front");
    post({ t: "rejected", status: 503, reason: "the bot did not answer within Slack's deadline" });
    return;
  }
  // Stuck or a view: keep waiting for the bot's ack, at most until Slack's deadline.
  w.timer = setTimeout(() => onDeadline(id), Math.min(50, settings.slackDeadlineMs - waited));
}

function reject(res: ServerResponse, status: number, reason: string): void {
  answer(res, status);
  post({ t: "rejected", status, reason });
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
}

function onSlackRequest(req: IncomingMessage, res: ServerResponse, raw: string): void {
  const contentType = headerOf(req, "content-type");
  if (isSslCheck(contentType, raw)) {
    answer(res, 200);
    return;
  }
  const signature = headerOf(req, "x-slack-signature");
  const timestamp = headerOf(req, "x-slack-request-timestamp");
  if (!signature || !timestamp) {
    reject(res, 401, "a request without Slack's signature headers");
    return;
  }
  try {
    verifySlackRequest({
      signingSecret: settings.signingSecret,
      body: raw,
      headers: { "x-slack-signature": signature, "x-slack-request-timestamp": Number(timestamp) },
    });
  } catch (err) {
    reject(res, 401, err instanceof Error ? err.message : "signature check failed");
    return;
  }
  const parsed = parseSlackRequestBody(contentType, raw);
  switch (parsed.kind) {
    case "ssl-check":
      answer(res, 200);
      return;
    case "url-verification":
      answer(res, 200, { challenge: parsed.challenge });
      return;
    case "malformed":
      reject(res, 400, `malformed request body: ${parsed.reason}`);
      return;
    case "payload": {
      if (headerOf(req, WarmUpHeader) === warmUpToken) {
        answer(res, 200);
        return;
      }
      if (closing) {
        reject(res, 503, "a request after the listener began to close");
        return;
      }
      const id = ++nextId;
      const retryNum = Number(headerOf(req, "x-slack-retry-num"));
      const delay = parsed.answerLater ? settings.ackDeadlineMs : settings.slackDeadlineMs;
      waiting.set(id, {
        res,
        arrivedAt: performance.now(),
        answerLater: parsed.answerLater,
        timer: setTimeout(() => onDeadline(id), delay),
      });
      post({
        t: "request",
        id,
        body: parsed.body,
        retryNum: Number.isInteger(retryNum) ? retryNum : undefined,
        retryReason: headerOf(req, "x-slack-retry-reason"),
      });
    }
  }
}

/** GET /healthz, /readyz, /metrics: answered by the bot's own loop, through its server on 127.0.0.1. */
function passThrough(req: IncomingMessage, res: ServerResponse): void {
  if (settings.opsPort === undefined) {
    answer(res, 404);
    return;
  }
  const upstream = request(
    { host: "127.0.0.1", port: settings.opsPort, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", () => answer(res, 502));
  req.pipe(upstream);
}

const server = createServer((req, res) => {
  const path = (req.url ?? "").split("?")[0];
  if (path !== settings.endpoint) {
    passThrough(req, res);
    return;
  }
  if (req.method !== "POST") {
    answer(res, 404);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on("data", (chunk: Buffer) => {
    if (tooLarge) return; // discarded: the connection closes once the client has sent it
    size += chunk.length;
    if (size > settings.bodyLimitBytes) {
      tooLarge = true;
      chunks.length = 0;
      res.shouldKeepAlive = false;
      reject(res, 413, `a request body over ${settings.bodyLimitBytes} bytes`);
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (!tooLarge) onSlackRequest(req, res, Buffer.concat(chunks).toString("utf8"));
  });
});

function finishClose(): void {
  server.close(() => post({ t: "closed" }));
  server.closeIdleConnections();
}

port.on("message", (m: BotMessage) => {
  heardAt = performance.now();
  switch (m.t) {
    case "ack": {
      const delivered = settle(m.id, 200, "bot", m.body);
      post({ t: "acked", id: m.id, delivered });
      return;
    }
    case "failed":
      settle(m.id, m.status, "bot");
      return;
    case "alive":
      return;
    case "close":
      closing = true;
      if (waiting.size === 0) finishClose();
  }
});

/** Marks the front's own warm-up requests: random per thread, so no request from outside can carry it. */
const warmUpToken = randomBytes(16).toString("hex");
/** Warm-up: this many requests at once (a burst of slash commands), this many times. One is enough to
 * compile the path; each more costs idle memory (docs/BENCHMARKS.md, "Embedded default", run 9). */
const WarmUpBurst = 20;
const WarmUpWaves = 1;

function warmUpRequest(port: number): Promise<void> {
  const body = "command=%2Fwarm-up&text=warm+up&response_url=http%3A%2F%2F127.0.0.1%2F";
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", settings.signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  const host = settings.host === "0.0.0.0" || settings.host === "::" ? "127.0.0.1" : settings.host;
  return new Promise<void>((resolve) => {
    const req = request(
      {
        host,
        port,
        path: settings.endpoint,
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": timestamp,
          "x-slack-signature": signature,
          [WarmUpHeader]: warmUpToken,
        },
      },
      (res) => res.resume().on("end", resolve).on("error", resolve),
    );
    req.on("error", () => resolve());
    req.end(body);
  });
}

/**
 * Run the request path before Slack's first burst, which otherwise meets code that has never run
 * (HTTP parsing, the signature check, the body parser: ~2 ms a request at first, a fraction of that
 * once compiled) and waits on the compiler. A burst of signed requests over loopback, checked and
 * parsed like Slack's, answered here and never handed to the bot. It runs after `listening` is
 * reported, so it does not delay the bot's start; a request from Slack meanwhile just takes its turn.
 */
async function warmUp(port: number): Promise<void> {
  for (let wave = 0; wave < WarmUpWaves; wave++) {
    await Promise.all(Array.from({ length: WarmUpBurst }, () => warmUpRequest(port)));
  }
}

server.once("error", (err: NodeJS.ErrnoException) =>
  post({ t: "listen-failed", code: err.code, message: err.message }),
);
server.listen(settings.port, settings.host, () => {
  const { port } = server.address() as AddressInfo;
  post({ t: "listening", port });
  void warmUp(port);
});
