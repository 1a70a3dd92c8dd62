import { z } from "zod";

/**
 * zod schemas for what the OpenCode server (1.18.33) sends: HTTP bodies and SSE frames.
 * Only the fields codethread reads are declared; everything else passes through (`loose`),
 * so additive server changes never break a run.
 */

export const Health = z.looseObject({ healthy: z.boolean(), version: z.string() });

export const SessionInfo = z.looseObject({
  id: z.string(),
  parentID: z.string().optional(),
  title: z.string().optional(),
  directory: z.string().optional(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

const Tokens = z.looseObject({
  input: z.number().default(0),
  output: z.number().default(0),
  reasoning: z.number().optional(),
  cache: z.looseObject({ read: z.number().default(0), write: z.number().default(0) }).optional(),
});

export const MessageError = z.looseObject({
  name: z.string(),
  data: z.looseObject({ message: z.string().optional(), statusCode: z.number().optional() }).optional(),
});
export type MessageError = z.infer<typeof MessageError>;

export const MessageInfo = z.looseObject({
  id: z.string(),
  sessionID: z.string(),
  role: z.enum(["user", "assistant"]),
  parentID: z.string().optional(),
  modelID: z.string().optional(),
  providerID: z.string().optional(),
  cost: z.number().optional(),
  tokens: Tokens.optional(),
  finish: z.string().optional(),
  error: MessageError.optional(),
  time: z.looseObject({ created: z.number().optional(), completed: z.number().optional() }).optional(),
});
export type MessageInfo = z.infer<typeof MessageInfo>;

export const ToolState = z.discriminatedUnion("status", [
  z.looseObject({ status: z.literal("pending"), input: z.unknown().optional() }),
  z.looseObject({
    status: z.literal("running"),
    input: z.unknown().optional(),
    title: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
  z.looseObject({
    status: z.literal("completed"),
    input: z.unknown().optional(),
    output: z.string().default(""),
    title: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
  z.looseObject({ status: z.literal("error"), input: z.unknown().optional(), error: z.string().default("") }),
]);
export type ToolState = z.infer<typeof ToolState>;

export const Part = z.looseObject({
  id: z.string(),
  sessionID: z.string(),
  messageID: z.string(),
  type: z.string(),
  text: z.string().optional(),
  synthetic: z.boolean().optional(),
  ignored: z.boolean().optional(),
  tool: z.string().optional(),
  callID: z.string().optional(),
  state: z.unknown().optional(),
});
export type Part = z.infer<typeof Part>;

export const MessageWithParts = z.object({ info: MessageInfo, parts: z.array(Part) });
export type MessageWithParts = z.infer<typeof MessageWithParts>;
export const Messages = z.array(MessageWithParts);

export const SessionStatus = z.looseObject({
  type: z.string(),
  attempt: z.number().optional(),
  message: z.string().optional(),
  next: z.number().optional(),
});
export const SessionStatusMap = z.record(z.string(), SessionStatus);

export const PermissionAsked = z.looseObject({
  id: z.string(),
  sessionID: z.string(),
  permission: z.string(),
  patterns: z.array(z.string()).default([]),
  metadata: z.record(z.string(), z.unknown()).default({}),
  always: z.array(z.string()).default([]),
  tool: z.looseObject({ messageID: z.string(), callID: z.string() }).optional(),
});
export type PermissionAsked = z.infer<typeof PermissionAsked>;

export const QuestionAsked = z.looseObject({
  id: z.string(),
  sessionID: z.string(),
  questions: z
    .array(
      z.looseObject({
        question: z.string().optional(),
        header: z.string().optional(),
        options: z.array(z.looseObject({ label: z.string() })).default([]),
      }),
    )
    .default([]),
});
export type QuestionAsked = z.infer<typeof QuestionAsked>;

/** Every frame: `{type, properties}` (`/event`) or `{directory, payload}` (`/global/event`). */
export const RawFrame = z.looseObject({
  id: z.string().optional(),
  type: z.string(),
  properties: z.record(z.string(), z.unknown()).default({}),
});
export const GlobalFrame = z.looseObject({ directory: z.string().optional(), payload: z.unknown() });

/** The frames codethread acts on, validated per type. */
export const OpenCodeEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("server.connected") }),
  z.object({ type: z.literal("server.heartbeat") }),
  z.object({ type: z.literal("session.created"), properties: z.looseObject({ info: SessionInfo }) }),
  z.object({ type: z.literal("session.deleted"), properties: z.looseObject({ info: SessionInfo }) }),
  z.object({
    type: z.literal("session.status"),
    properties: z.looseObject({ sessionID: z.string(), status: SessionStatus }),
  }),
  z.object({ type: z.literal("session.idle"), properties: z.looseObject({ sessionID: z.string() }) }),
  z.object({
    type: z.literal("session.error"),
    properties: z.looseObject({ sessionID: z.string().optional(), error: MessageError.optional() }),
  }),
  z.object({ type: z.literal("message.updated"), properties: z.looseObject({ info: MessageInfo }) }),
  z.object({ type: z.literal("message.part.updated"), properties: z.looseObject({ part: Part }) }),
  z.object({
    type: z.literal("message.part.delta"),
    properties: z.looseObject({
      sessionID: z.string(),
      messageID: z.string(),
      partID: z.string(),
      field: z.string(),
      delta: z.string(),
    }),
  }),
  z.object({ type: z.literal("permission.asked"), properties: PermissionAsked }),
  z.object({
    type: z.literal("permission.replied"),
    properties: z.looseObject({ sessionID: z.string(), requestID: z.string(), reply: z.string() }),
  }),
  z.object({ type: z.literal("question.asked"), properties: QuestionAsked }),
]);
export type OpenCodeEvent = z.infer<typeof OpenCodeEvent>;

/** Event types that are parsed strictly; every other type is ignored without validation. */
export const HandledTypes: ReadonlySet<string> = new Set(OpenCodeEvent.options.map((o) => o.shape.type.value));

/** The session an event belongs to, if any. */
export function sessionOf(event: OpenCodeEvent): string | undefined {
  switch (event.type) {
    case "server.connected":
    case "server.heartbeat":
      return undefined;
    case "session.created":
    case "session.deleted":
      return event.properties.info.id;
    case "message.updated":
      return event.properties.info.sessionID;
    case "message.part.updated":
      return event.properties.part.sessionID;
    default:
      return event.properties.sessionID;
  }
}
