/**
 * The normalized event stream every provider emits. One discriminated union across
 * providers: the worker and the Slack publisher never see vendor formats.
 *
 * Contract of `CodeAgent.execute`: zero or more events, then exactly one `result`
 * event, last. Vendor events we do not understand are dropped by the provider (or
 * passed as `raw` when useful for debugging); they never end a run.
 */

import { truncate } from "../text.js";
import type { ToolKind } from "./tool-kind.js";

/** Longest tool output a `tool_result` event carries, in characters, for every provider. */
export const MaxToolOutputChars = 2_000;

/** The output excerpt of a `tool_result` event. */
export function toolOutputExcerpt(text: string): string {
  return truncate(text, MaxToolOutputChars);
}

/**
 * How a run ended. `budget_exceeded`: stopped because its cost reached CODETHREAD_MAX_COST_USD
 * (not a failure: the session is kept, a reply continues it).
 */
export type Outcome = "succeeded" | "failed" | "cancelled" | "timed_out" | "budget_exceeded";

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export interface AgentResult {
  outcome: Outcome;
  /** Session to resume next turn (the latest one the agent reported). */
  sessionId?: string;
  /** The agent's final answer (for cancelled/timed-out runs: what it had said so far). */
  text: string;
  costUsd?: number;
  durationMs: number;
  turns?: number;
  usage?: TokenUsage;
  /** For non-success outcomes: a plain-words reason a Slack user can read. */
  error?: string;
  /** Stable code for the failure (e.g. `session_not_found`, `agent_unavailable`, `api_error`, `budget_exceeded`). */
  errorCode?: string;
}

export type AgentEvent =
  | { type: "session_started"; sessionId: string; model?: string }
  | { type: "text"; text: string }
  | {
      type: "tool_use";
      id: string;
      /** The vendor's tool name (`Bash`, `bash`): shown, never matched on downstream. */
      tool: string;
      /** What the tool does, the same for every provider: match on this, not on `tool`. */
      kind: ToolKind;
      input: unknown;
      /** One line a person reads at a glance: `Ran npm test`, `Edited src/app.ts`. */
      summary: string;
      /** Set for tool uses made by a subagent. */
      parentId?: string;
    }
  | {
      type: "tool_result";
      id: string;
      ok: boolean;
      /** Excerpt of the output, at most `MaxToolOutputChars` (use `toolOutputExcerpt`). */
      output: string;
    }
  | {
      type: "permission_request";
      id: string;
      tool: string;
      input: unknown;
      summary: string;
    }
  | { type: "permission_denied"; tool: string; id?: string; reason?: string }
  /** What the run has cost so far, in USD (providers that know it mid-run: OpenCode after each step). */
  | { type: "cost"; costUsd: number }
  | { type: "retrying"; attempt: number; maxAttempts?: number; reason: string; delayMs?: number }
  | { type: "error"; message: string; code?: string }
  | { type: "raw"; vendorType: string; data: unknown }
  | { type: "result"; result: AgentResult };

export type AgentEventType = AgentEvent["type"];

/** Narrow an event by its discriminant. */
export function isEvent<T extends AgentEventType>(
  event: AgentEvent,
  type: T,
): event is Extract<AgentEvent, { type: T }> {
  return event.type === type;
}
