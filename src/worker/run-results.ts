import type { AgentResult } from "../agents/events.js";
import { CodethreadError, hasCode, messageOf } from "../errors.js";
import type { Job } from "../store/queue/types.js";
import { AgentRunPayload } from "./agent-run-payload.js";
import { ErrInvalidRunPayload } from "./errors.js";
import type { JobOutcome } from "./handler.js";

export function parsePayload(job: Job): AgentRunPayload {
  const parsed = AgentRunPayload.safeParse(job.payload);
  if (!parsed.success) {
    throw new ErrInvalidRunPayload(
      job.id,
      parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}

export function outcomeOf(result: AgentResult, cancelledBy: string | undefined): JobOutcome {
  switch (result.outcome) {
    case "succeeded":
      return { status: "succeeded" };
    case "cancelled":
      return { status: "cancelled", by: cancelledBy };
    case "timed_out":
      return { status: "failed", error: result.error ?? "the run timed out" };
    case "failed":
      return { status: "failed", error: result.error ?? "the agent failed" };
    case "budget_exceeded":
      return { status: "failed", error: result.error ?? "the run reached its cost budget" };
  }
}

/** A run that ended on an error of ours (not the agent's), in words its thread can read. */
export function failedResult(err: unknown, fallbackCode: string): AgentResult {
  const error = hasCode(err, "database_unavailable")
    ? "My database stayed unreachable, so this run could not be kept track of and was stopped. Reply in this thread to try again."
    : messageOf(err);
  return {
    outcome: "failed",
    text: "",
    durationMs: 0,
    error,
    errorCode: err instanceof CodethreadError ? err.code : fallbackCode,
  };
}

/**
 * The thread's session was lost after the turn had opened it (or a fresh start failed the same way):
 * the turn is not run again, and the thread is told plainly that its next message starts over.
 */
export function sessionLostResult(result: AgentResult, provider: string, sessionId: string | undefined): AgentResult {
  return {
    ...result,
    error:
      `The earlier ${provider} conversation of this thread${sessionId ? ` (session ${sessionId})` : ""} could not be found, ` +
      "so this message was not run. Reply again to start a fresh session here — the agent will not remember the earlier turns — or start a new thread.",
  };
}
