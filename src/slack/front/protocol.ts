import { z } from "zod";

/**
 * The messages between the bot's event loop and its Slack front (front-thread.ts), a worker thread
 * that owns the HTTP listener. Requests are named by an id the front chose; the front never runs a
 * listener, it only answers Slack in time (see front-receiver.ts).
 */

/** Started in the front thread: where to listen and how to check and answer Slack's requests. */
export interface FrontSettings {
  host: string;
  port: number;
  /** Events, commands and interactivity: Slack's one endpoint, e.g. /slack/events. */
  endpoint: string;
  /** The signing secret; it stays in this process and is never logged or posted. */
  signingSecret: string;
  bodyLimitBytes: number;
  /** How long a request waits for the bot's own ack before the front answers for it. */
  ackDeadlineMs: number;
  /** The front answers for the bot only if it heard from the bot this recently (it is alive, only busy). */
  aliveWindowMs: number;
  /** Requests whose answer cannot come later (views, options) wait this long, then get a 503. */
  slackDeadlineMs: number;
  /** Where the bot serves /healthz, /readyz and /metrics on 127.0.0.1; the front passes those through. */
  opsPort?: number;
}

/** From the bot to the front. */
export type BotMessage =
  /** The bot's ack of request `id`; `body` is Bolt's ack argument (empty, text or JSON). */
  | { t: "ack"; id: number; body?: unknown }
  /** Processing failed before the ack: answer with this status if Slack still waits. */
  | { t: "failed"; id: number; status: number }
  /** The bot's loop turns: the front answers for a busy bot, never for a stuck one. */
  | { t: "alive" }
  | { t: "close" };

/**
 * From the front to the bot, checked on arrival: `listening` (or `listen-failed`) once; a `request`
 * the front accepted (signed, fresh, parsed); `acked`, the answer to the bot's ack (whether its body
 * reached Slack in the HTTP response); `rejected`, a request answered with an error status (for the
 * bot's log: the reason never contains the body or the secret); `answered`, a forwarded request's
 * answer time and who gave it (for the metrics); `closed` when the listener is closed.
 */
export const FrontMessage = z.discriminatedUnion("t", [
  z.object({ t: z.literal("listening"), port: z.number() }),
  z.object({ t: z.literal("listen-failed"), code: z.string().optional(), message: z.string() }),
  z.object({
    t: z.literal("request"),
    id: z.number(),
    body: z.record(z.string(), z.unknown()),
    retryNum: z.number().optional(),
    retryReason: z.string().optional(),
  }),
  z.object({ t: z.literal("acked"), id: z.number(), delivered: z.boolean() }),
  z.object({ t: z.literal("rejected"), status: z.number(), reason: z.string() }),
  z.object({ t: z.literal("answered"), by: z.enum(["bot", "front", "refused"]), ms: z.number() }),
  z.object({ t: z.literal("closed") }),
]);
export type FrontMessage = z.infer<typeof FrontMessage>;
/** A request the front accepted (signed, fresh, parsed), for the bot to process. */
export type FrontRequest = Extract<FrontMessage, { t: "request" }>;
