import type { Worker } from "node:worker_threads";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import { CodethreadError, messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { Metrics } from "../../ops/metrics.js";
import { type OpsRoute, serveOpsRoutes } from "../../ops/routes.js";
import { RunningFromSources } from "../../package-root.js";
import type { Secret } from "../../secret.js";
import { startWorkerThread } from "../../worker-thread.js";
import type { AckFirst } from "../ack-first.js";
import { type PostResponse, type ResponseMessage, responseUrlPoster } from "../response-url.js";
import { type BotMessage, FrontMessage, type FrontRequest, type FrontSettings } from "./protocol.js";

/**
 * How long Slack's request waits for the bot's own ack before the front answers for it. The bot's
 * loop acks a run request in 2–5 ms when it is free; past this it is busy (a burst of commands
 * queues on it: docs/BENCHMARKS.md, "Embedded default"), and Slack's answer no longer waits for it.
 * The ack's text, if any, then follows on the response_url; a run request's ack has none.
 */
export const FrontAckDeadlineMs = 15;
/** The front answers for the bot only while the bot's loop has turned this recently. */
export const FrontAliveWindowMs = 2_000;
/** How often the bot tells the front its loop turns (a timer on that loop: late when it is busy). */
const AliveEveryMs = 250;
/** Slack shows an error after 3 s; a request still unanswered at this point gets a 503 (and a retry, for events). */
export const SlackDeadlineMs = 2_500;
/** The largest request body accepted (413 above), as Bolt's own receiver. */
const BodyLimitBytes = 4 * 1024 * 1024;
/** The front thread's heap: it holds only the requests Slack has open (4 MB bodies at most, each). */
const FrontHeapMb = 64;
/** Its young generation: small objects of short requests; V8's default (16 MB semi-spaces) is idle RSS here. */
const FrontYoungHeapMb = 2;

/** The front thread could not listen (port taken, no permission). */
export class ErrFrontListen extends CodethreadError {
  constructor(host: string, port: number, detail: string, code?: string) {
    super("front_listen", `Could not listen for Slack on ${host}:${port}: ${detail}`, { host, port, code });
  }
}

export interface FrontReceiverOptions {
  signingSecret: Secret;
  host: string;
  port: number;
  /** Slack's one endpoint for events, commands and interactivity. */
  endpoint: string;
  log: Logger;
  /** /healthz, /readyz, /metrics: served by this loop on 127.0.0.1, reached through the front. */
  routes?: OpsRoute[];
  /** Counts requests from their arrival on this loop until their ack. */
  ackFirst?: AckFirst;
  ackDeadlineMs?: number;
  /** The front answers for the bot only if heard from within this (default FrontAliveWindowMs). */
  aliveWindowMs?: number;
  /** Each forwarded request's answer time, by who answered (codethread_slack_answer_seconds). */
  metrics?: Pick<Metrics, "slackAnswered">;
  /** Where an ack's text goes when Slack's answer went out before it (default: the response_url). */
  postResponse?: PostResponse;
}

/** front-thread.ts: compiled beside this module in dist/, or its source through tsx. */
function startFrontThread(settings: FrontSettings): Worker {
  return startWorkerThread(new URL(RunningFromSources ? "./front-thread.ts" : "./front-thread.js", import.meta.url), {
    workerData: settings,
    resourceLimits: { maxOldGenerationSizeMb: FrontHeapMb, maxYoungGenerationSizeMb: FrontYoungHeapMb },
  });
}

/** An ack's argument as a response_url message, or undefined when it carries nothing to show. */
function asResponseMessage(body: unknown): ResponseMessage | undefined {
  if (typeof body === "string") return body ? { response_type: "ephemeral", text: body } : undefined;
  if (typeof body !== "object" || body === null) return undefined;
  const m = body as Partial<ResponseMessage>;
  if (typeof m.text !== "string" && !Array.isArray(m.blocks)) return undefined;
  // Its text went through the same broadcast neutralization as every ack (src/slack/slash-reply.ts).
  return { ...m, text: m.text ?? "", response_type: m.response_type ?? "ephemeral" };
}

/**
 * Bolt's receiver for HTTP mode, with the listener in a worker thread (front-thread.ts): Slack's
 * HTTP answer never waits for this event loop. Requests arrive here checked and parsed and go to
 * `app.processEvent` as with Bolt's own HTTPReceiver; an ack goes back to the front, which answers
 * Slack with it — or, when it answered already (the ack came after the deadline), tells us so and
 * the ack's text is posted to the request's response_url instead.
 */
export class FrontReceiver implements Receiver {
  #app: App | undefined;
  #worker: Worker | undefined;
  #ops: Awaited<ReturnType<typeof serveOpsRoutes>> | undefined;
  #alive: NodeJS.Timeout | undefined;
  #port: number;
  #stopping = false;
  #closed: (() => void) | undefined;
  /** Acks sent to the front, waiting for whether they reached Slack: at most one per open request. */
  readonly #acks = new Map<number, (delivered: boolean) => void>();
  readonly #post: PostResponse;

  constructor(private readonly o: FrontReceiverOptions) {
    this.#port = o.port;
    this.#post = o.postResponse ?? responseUrlPoster();
  }

  init(app: App): void {
    this.#app = app;
  }

  /** Listens; resolves with the port (the actual one when 0 was asked for). */
  async start(): Promise<{ port: number }> {
    if (this.o.routes?.length) this.#ops = await serveOpsRoutes(this.o.routes, 0, "127.0.0.1");
    try {
      this.#port = await this.#startFront();
    } catch (err) {
      await this.#ops?.close();
      throw err;
    }
    this.#alive = setInterval(() => this.#send({ t: "alive" }), AliveEveryMs);
    this.#alive.unref();
    return { port: this.#port };
  }

  /** Stops taking requests; those Slack still waits on are answered first (by Slack's deadline at most). */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#alive);
    const worker = this.#worker;
    if (worker) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SlackDeadlineMs + 500);
        this.#closed = () => {
          clearTimeout(timer);
          resolve();
        };
        worker.once("exit", () => this.#closed?.());
        this.#send({ t: "close" });
      });
      await worker.terminate();
    }
    await this.#ops?.close();
  }

  #send(m: BotMessage): void {
    this.#worker?.postMessage(m);
  }

  #startFront(): Promise<number> {
    const opsPort = this.#ops?.port;
    const worker = startFrontThread({
      host: this.o.host,
      port: this.#port,
      endpoint: this.o.endpoint,
      signingSecret: this.o.signingSecret.reveal(),
      bodyLimitBytes: BodyLimitBytes,
      ackDeadlineMs: this.o.ackDeadlineMs ?? FrontAckDeadlineMs,
      aliveWindowMs: this.o.aliveWindowMs ?? FrontAliveWindowMs,
      slackDeadlineMs: SlackDeadlineMs,
      opsPort,
    });
    this.#worker = worker;
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on("message", (raw: unknown) => {
        const parsed = FrontMessage.safeParse(raw);
        if (!parsed.success) {
          this.o.log.error({ issues: parsed.error.issues.length }, "unexpected message from the Slack front");
          return;
        }
        const m = parsed.data;
        switch (m.t) {
          case "listening":
            listening = true;
            resolve(m.port);
            return;
          case "listen-failed":
            reject(new ErrFrontListen(this.o.host, this.#port, m.message, m.code));
            return;
          case "request":
            this.#process(m);
            return;
          case "acked":
            this.#acks.get(m.id)?.(m.delivered);
            this.#acks.delete(m.id);
            return;
          case "answered":
            this.o.metrics?.slackAnswered(m.by, m.ms);
            return;
          case "rejected":
            this.o.log.warn({ status: m.status, reason: m.reason }, "Slack request refused");
            return;
          case "closed":
            this.#closed?.();
        }
      });
      worker.on("error", (err) => {
        this.o.log.error({ err: { message: err.message } }, "the Slack front failed");
        if (!listening) reject(new ErrFrontListen(this.o.host, this.#port, err.message));
      });
      worker.on("exit", (code) => {
        for (const settle of this.#acks.values()) settle(false);
        this.#acks.clear();
        if (this.#stopping || !listening) return;
        // Requests it held are lost to Slack's retries (events) or shown as failed (commands): say so, listen again.
        this.o.log.error({ code }, "the Slack front exited; listening again");
        this.#startFront().catch((err: unknown) =>
          this.o.log.error({ err: { message: messageOf(err) } }, "the Slack front could not listen again"),
        );
      });
    });
  }

  #process(req: FrontRequest): void {
    const app = this.#app;
    if (!app) {
      this.#send({ t: "failed", id: req.id, status: 503 });
      return;
    }
    // Counted from arrival until the ack, or until processing ends without one (no listener acked).
    let counted = true;
    this.o.ackFirst?.arrived();
    const uncount = () => {
      if (!counted) return;
      counted = false;
      this.o.ackFirst?.answered();
    };
    let acked = false;
    const event: ReceiverEvent = {
      body: req.body,
      retryNum: req.retryNum,
      retryReason: req.retryReason,
      customProperties: {},
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        uncount();
        const delivered = await new Promise<boolean>((resolve) => {
          this.#acks.set(req.id, resolve);
          this.#send({ t: "ack", id: req.id, body: response });
        });
        if (!delivered) await this.#late(req.body, response);
      },
    };
    app.processEvent(event).then(uncount, (err: unknown) => {
      this.o.log.error({ err: { message: messageOf(err) } }, "processing a Slack request failed");
      uncount();
      if (acked) return;
      acked = true;
      this.#send({ t: "failed", id: req.id, status: 500 });
    });
  }

  /** Slack had its answer before the ack: the ack's text goes to the response_url, if there is one. */
  async #late(body: Record<string, unknown>, response: unknown): Promise<void> {
    const message = asResponseMessage(response);
    if (!message) return;
    const url = typeof body.response_url === "string" ? body.response_url : undefined;
    if (!url) {
      this.o.log.warn({ type: body.type }, "an ack's answer came after Slack's and has no response_url: not shown");
      return;
    }
    try {
      await this.#post(url, message);
    } catch (err) {
      this.o.log.error({ err: { message: messageOf(err) } }, "posting a late ack's answer to the response_url failed");
    }
  }
}
