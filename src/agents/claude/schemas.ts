import { z } from "zod";

/**
 * zod schemas for the `claude -p --output-format stream-json` lines we use. Lenient on
 * purpose: unknown keys are stripped, unknown types are dropped by the mapper, and a line
 * that does not match its schema is skipped — the CLI's format drifts between versions.
 */

export const Envelope = z.object({ type: z.string(), subtype: z.string().optional() });

export const SystemInit = z.object({
  session_id: z.string(),
  model: z.string().optional(),
  cwd: z.string().optional(),
});

export const ApiRetry = z.object({
  attempt: z.number(),
  max_retries: z.number().optional(),
  retry_delay_ms: z.number().optional(),
  error_status: z.number().nullable().optional(),
  error: z.string().optional(),
});

export const PermissionDenied = z.object({
  tool_name: z.string(),
  tool_use_id: z.string().optional(),
  message: z.string().optional(),
});

/** Content blocks are validated one by one, by type, so an unknown block never rejects its message. */
const Block = z.unknown();

/** The `type` of a content block, without validating the rest. */
export function blockType(block: unknown): string | undefined {
  if (block && typeof block === "object" && "type" in block && typeof block.type === "string") return block.type;
  return undefined;
}

export const TextBlock = z.object({ type: z.literal("text"), text: z.string() });
export const ToolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
export const ToolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.unknown().optional(),
  is_error: z.boolean().optional(),
});

export const Assistant = z.object({
  message: z.object({ content: z.array(Block), model: z.string().optional() }),
  parent_tool_use_id: z.string().nullable().optional(),
  session_id: z.string().optional(),
  error: z.string().optional(),
  is_api_error_message: z.boolean().optional(),
  api_error_status: z.number().nullable().optional(),
});

export const User = z.object({
  message: z.object({ content: z.union([z.string(), z.array(Block)]) }),
  parent_tool_use_id: z.string().nullable().optional(),
  isReplay: z.boolean().optional(),
});

const Usage = z.object({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
});

export const Result = z.object({
  subtype: z.string(),
  is_error: z.boolean().optional(),
  result: z.string().optional(),
  session_id: z.string().optional(),
  total_cost_usd: z.number().optional(),
  duration_ms: z.number().optional(),
  num_turns: z.number().optional(),
  usage: Usage.optional(),
  errors: z.array(z.string()).optional(),
  terminal_reason: z.string().nullable().optional(),
  api_error_status: z.number().nullable().optional(),
  permission_denials: z.array(z.object({ tool_name: z.string(), tool_use_id: z.string().optional() })).optional(),
  model_usage_since_last_result: z.record(z.string(), z.object({ costUSD: z.number().optional() })).optional(),
});
export type ResultLine = z.infer<typeof Result>;

export const CanUseTool = z.object({
  request_id: z.string(),
  request: z.object({
    subtype: z.literal("can_use_tool"),
    tool_name: z.string(),
    input: z.unknown(),
    tool_use_id: z.string().optional(),
    description: z.string().optional(),
  }),
});
