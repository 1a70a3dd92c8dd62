import { z } from "zod";

/**
 * The parts of Slack's payloads the listeners rely on, checked with zod at the boundary.
 * Unknown fields pass through untouched; a payload missing what we need is logged and ignored.
 */

export const SlashCommandPayload = z.object({
  team_id: z.string().min(1),
  channel_id: z.string().min(1),
  user_id: z.string().min(1),
  command: z.string(),
  text: z.string().default(""),
  response_url: z.string().optional(),
  trigger_id: z.string().optional(),
  api_app_id: z.string().optional(),
});
export type SlashCommandPayload = z.infer<typeof SlashCommandPayload>;

/** The envelope of an Events API delivery (HTTP and Socket Mode alike). */
export const EventEnvelope = z.object({
  team_id: z.string().optional(),
  api_app_id: z.string().optional(),
  event_id: z.string().optional(),
});

/** app_mention and message events (the fields we read). */
export const MessageEvent = z.object({
  type: z.enum(["app_mention", "message"]),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().default(""),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  channel: z.string().min(1),
  channel_type: z.string().optional(),
  team: z.string().optional(),
  hidden: z.boolean().optional(),
  /** Files shared with the message (`file_share`); each checked with SlackFile where it is used. */
  files: z.array(z.unknown()).optional(),
});
export type MessageEvent = z.infer<typeof MessageEvent>;

/** Slack's native stop button on a thread's agent session (docs.slack.dev reference/events/agent_session_stopped). */
export const AgentSessionStoppedEvent = z.object({
  type: z.literal("agent_session_stopped"),
  channel: z.string().min(1),
  thread_ts: z.string().min(1),
  user: z.string().min(1),
  event_ts: z.string().optional(),
  streaming_message_ts: z.array(z.string()).optional(),
});
export type AgentSessionStoppedEvent = z.infer<typeof AgentSessionStoppedEvent>;

/** A click on one of our buttons. */
export const BlockActionPayload = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().min(1) }),
  team: z
    .object({ id: z.string().min(1) })
    .nullable()
    .optional(),
  container: z.object({
    channel_id: z.string().min(1),
    message_ts: z.string().min(1),
    thread_ts: z.string().optional(),
  }),
  message: z.object({ text: z.string().default(""), ts: z.string().optional() }).optional(),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().default(""), action_ts: z.string().optional() }))
    .min(1),
});
export type BlockActionPayload = z.infer<typeof BlockActionPayload>;

/** Issues of a failed parse as one line (for logs). */
export function issuesOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
}
