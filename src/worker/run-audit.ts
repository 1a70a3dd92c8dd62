import type { AgentEvent, AgentResult } from "../agents/events.js";
import { excerpt, messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import { recordAudit } from "../store/audit.js";
import type { Queryable } from "../store/database.js";
import type { AgentRunPayload } from "./agent-run-payload.js";

/** Longest tool summary kept in an audit record (the summary, never the tool's output). */
export const AuditSummaryChars = 200;

interface RunRef {
  jobId: string;
  threadKey: string;
  payload: AgentRunPayload;
  provider: string;
}

/**
 * One tool use of a run, summarized (`Ran npm test`, `Edited src/app.ts`): its output and input
 * stay out of the record. Best effort: a database hiccup is logged and never stops the run.
 */
export async function auditToolUse(
  db: Queryable,
  log: Logger,
  run: RunRef,
  event: Extract<AgentEvent, { type: "tool_use" }>,
): Promise<void> {
  await recordAudit(db, {
    actor: run.payload.userId,
    action: "tool.use",
    threadKey: run.threadKey,
    detail: {
      jobId: run.jobId,
      requester: run.payload.userId,
      provider: run.provider,
      tool: event.tool,
      kind: event.kind,
      summary: excerpt(event.summary, AuditSummaryChars),
      ...(event.parentId ? { subagent: true } : {}),
    },
  }).catch((err: unknown) => log.warn({ jobId: run.jobId, err: messageOf(err) }, "could not record a tool use"));
}

/** The agent lost the session it was asked to resume; the turn starts a fresh one. */
export async function auditSessionReset(db: Queryable, run: RunRef, lostSessionId: string): Promise<void> {
  await recordAudit(db, {
    actor: "system",
    action: "session.reset",
    threadKey: run.threadKey,
    detail: { jobId: run.jobId, requester: run.payload.userId, provider: run.provider, lostSessionId },
  });
}

/** A run's outcome with its cost, attributed to who asked (a cancel names who cancelled). */
export async function auditRunFinish(
  db: Queryable,
  run: RunRef,
  result: AgentResult,
  cancelledBy: string | undefined,
): Promise<void> {
  await recordAudit(db, {
    actor: run.payload.userId,
    action: "run.finish",
    threadKey: run.threadKey,
    detail: {
      jobId: run.jobId,
      requester: run.payload.userId,
      provider: run.provider,
      model: run.payload.model,
      outcome: result.outcome,
      errorCode: result.errorCode,
      costUsd: result.costUsd,
      durationMs: result.durationMs,
      ...(cancelledBy ? { cancelledBy } : {}),
    },
  });
}
