import type { App } from "@slack/bolt";
import { ActionIds } from "../slack/actions.js";
import { recordAudit } from "../store/audit.js";
import type { Job } from "../store/queue/types.js";
import { threadKey } from "../store/thread-key.js";
import { AgentRunPayload } from "../worker/agent-run-payload.js";
import { mayControl } from "./authorize.js";
import type { HandlerDeps } from "./deps.js";
import { BlockActionPayload, issuesOf } from "./schemas.js";

/** The active run whose card was clicked (cards live in their run's thread). */
async function findRun(
  deps: HandlerDeps,
  key: string,
  cardTs: string,
): Promise<{ job: Job; payload: AgentRunPayload } | undefined> {
  for (const job of await deps.queue.listActive({ threadKey: key })) {
    const p = AgentRunPayload.safeParse(job.payload);
    if (p.success && p.data.cardTs === cardTs) return { job, payload: p.data };
  }
  return undefined;
}

/** Cancel button on a run card: the requester or an admin stops the run, wherever it runs. */
export function registerCancelAction(app: App, deps: HandlerDeps): void {
  app.action(ActionIds.cancel, async ({ ack, body }) => {
    await ack();
    const parsed = BlockActionPayload.safeParse(body);
    if (!parsed.success) {
      deps.log.warn({ issues: issuesOf(parsed.error) }, "unexpected cancel payload");
      return;
    }
    const b = parsed.data;
    const teamId = b.team?.id;
    if (!teamId) return;
    const userId = b.user.id;
    const channel = b.container.channel_id;
    const cardTs = b.container.message_ts;
    const key = threadKey({ teamId, channelId: channel, threadTs: b.container.thread_ts ?? cardTs });
    const tell = (text: string) =>
      deps.slack
        .postEphemeral({ channel, user: userId, text, threadTs: b.container.thread_ts })
        .catch((err: unknown) => deps.log.warn({ err }, "ephemeral failed"));

    const run = await findRun(deps, key, cardTs);
    if (!run) return void (await tell("This run has already finished."));
    if (!mayControl(deps.access, userId, run.payload.userId)) {
      await recordAudit(deps.db, {
        actor: userId,
        action: "access.denied",
        threadKey: key,
        detail: { what: "cancel", jobId: run.job.id },
      });
      return void (await tell(`Only <@${run.payload.userId}> (who asked) or an admin can cancel this run.`));
    }
    const result = await deps.queue.cancel(run.job.id, userId);
    await recordAudit(deps.db, {
      actor: userId,
      action: "run.cancel",
      threadKey: key,
      detail: { jobId: run.job.id, requester: run.payload.userId, result: result.kind },
    });
    if (result.kind === "removed_from_queue") {
      await deps.cancelledBeforeStart?.({ jobId: run.job.id, threadKey: key, payload: run.payload }, userId);
    } else if (result.kind === "already_finished" || result.kind === "not_found") {
      await tell("This run has already finished.");
    }
  });
}
