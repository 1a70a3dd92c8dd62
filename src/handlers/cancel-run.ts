import { recordAudit } from "../store/audit.js";
import type { Job } from "../store/queue/types.js";
import { AgentRunPayload } from "../worker/agent-run-payload.js";
import { mayControl } from "./authorize.js";
import type { HandlerDeps } from "./deps.js";

export interface CancelRequest {
  userId: string;
  threadKey: string;
  /** The run card that was clicked; absent (Slack's own stop button): the thread's running run, else its next. */
  cardTs?: string;
  /** Where the request came from, in the audit record. */
  via: "button" | "slack_stop";
  /** Tell the person (ephemeral). */
  tell: (text: string) => Promise<unknown>;
  /** Nothing is running (any more): what to do instead (Slack's stop: take the session off `processing`). */
  nothingRunning?: () => Promise<unknown>;
}

/** The active run of a thread that a cancel is about: the clicked card's, else the running one, else the oldest queued. */
async function findRun(
  deps: HandlerDeps,
  key: string,
  cardTs: string | undefined,
): Promise<{ job: Job; payload: AgentRunPayload } | undefined> {
  const runs = (await deps.queue.listActive({ threadKey: key })).flatMap((job) => {
    const p = AgentRunPayload.safeParse(job.payload);
    return p.success ? [{ job, payload: p.data }] : [];
  });
  if (cardTs !== undefined) return runs.find((r) => r.payload.cardTs === cardTs);
  return runs.find((r) => r.job.status === "running") ?? runs[0];
}

/**
 * Cancel a thread's run for a person — the Cancel button on its card and Slack's own stop button
 * alike: only the requester or an admin may, a refusal is audited, and the run stops wherever it
 * runs (a queued one is taken off the queue and its card says so).
 */
export async function cancelRun(deps: HandlerDeps, c: CancelRequest): Promise<void> {
  const run = await findRun(deps, c.threadKey, c.cardTs);
  if (!run) {
    await c.nothingRunning?.();
    return void (await c.tell("This run has already finished."));
  }
  if (!mayControl(deps.access, c.userId, run.payload.userId)) {
    await recordAudit(deps.db, {
      actor: c.userId,
      action: "access.denied",
      threadKey: c.threadKey,
      detail: { what: "cancel", jobId: run.job.id, via: c.via },
    });
    return void (await c.tell(`Only <@${run.payload.userId}> (who asked) or an admin can cancel this run.`));
  }
  const result = await deps.queue.cancel(run.job.id, c.userId);
  await recordAudit(deps.db, {
    actor: c.userId,
    action: "run.cancel",
    threadKey: c.threadKey,
    detail: { jobId: run.job.id, requester: run.payload.userId, result: result.kind, via: c.via },
  });
  if (result.kind === "removed_from_queue") {
    await deps.cancelledBeforeStart?.({ jobId: run.job.id, threadKey: c.threadKey, payload: run.payload }, c.userId);
  } else if (result.kind === "already_finished" || result.kind === "not_found") {
    await c.nothingRunning?.();
    await c.tell("This run has already finished.");
  }
}
