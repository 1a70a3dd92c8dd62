import { CodethreadError, messageOf } from "../../errors.js";
import { budgetExceeded } from "../budget.js";
import type { AgentResult, Outcome } from "../events.js";
import { ErrOpenCodeHttp } from "./errors.js";
import type { MessageError } from "./schemas.js";

/** Stable error codes for OpenCode's message errors. */
const ErrorCodes: Record<string, string> = {
  APIError: "api_error",
  ProviderAuthError: "api_error",
  MessageOutputLengthError: "output_too_long",
  ContextOverflowError: "context_overflow",
  ContentFilterError: "content_filtered",
  StructuredOutputError: "agent_error",
  UnknownError: "agent_error",
};

export interface OutcomeFacts {
  error?: MessageError;
  timedOut: boolean;
  cancelRequested: boolean;
  promptSent: boolean;
  /** The turn ended with `session.idle` (not by giving up on it). */
  completed: boolean;
  /** The last assistant message ended on its own (finished, no error, not between tool calls). */
  finishedNormally: boolean;
  /** We stopped the run because its cost reached `maxCostUsd`. */
  budgetExceeded?: boolean;
  maxCostUsd?: number;
}

/** The outcome of a turn, from what the server reported and what we asked for. */
export function outcomeOf(f: OutcomeFacts): { outcome: Outcome; error?: string; errorCode?: string } {
  const aborted = f.error?.name === "MessageAbortedError";
  if (f.timedOut)
    return { outcome: "timed_out", error: "The run reached its time limit and was stopped.", errorCode: "timed_out" };
  // Cancelled unless the turn demonstrably finished before the stop took effect.
  if (f.cancelRequested && (aborted || !f.promptSent || !f.completed || !f.finishedNormally)) {
    return { outcome: "cancelled" };
  }
  // Stopped by its budget, unless the turn demonstrably finished before the stop took effect.
  if (f.budgetExceeded && (aborted || !f.completed || !f.finishedNormally)) return budgetExceeded(f.maxCostUsd);
  if (aborted) return { outcome: "cancelled", error: "The run was stopped outside codethread." };
  if (f.error) {
    const detail = f.error.data?.message ?? f.error.name;
    return { outcome: "failed", error: `OpenCode: ${detail}`, errorCode: ErrorCodes[f.error.name] ?? "agent_error" };
  }
  if (!f.completed)
    return { outcome: "failed", error: "The run ended before OpenCode finished.", errorCode: "agent_error" };
  return { outcome: "succeeded" };
}

/** A run that failed before or outside the turn (unreachable server, unknown session, HTTP error). */
export function failureResult(
  err: unknown,
  sessionId: string | undefined,
  text: string,
  durationMs: number,
): AgentResult {
  let errorCode = "agent_error";
  if (err instanceof ErrOpenCodeHttp) {
    errorCode =
      err.status === 401 || err.status === 403
        ? "agent_unavailable"
        : err.status === 404
          ? "session_not_found"
          : "api_error";
  } else if (err instanceof CodethreadError) {
    errorCode =
      {
        opencode_unreachable: "agent_unavailable",
        opencode_server_start: "agent_unavailable",
        agent_protocol: "agent_protocol",
      }[err.code] ?? err.code;
  }
  return { outcome: "failed", sessionId, text, durationMs, error: messageOf(err), errorCode };
}
