import { messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import { type Verdict, verdictMessage, verdictPlainText } from "../../slack/pr-messages.js";
import { sleep } from "../../sleep.js";
import { recordAudit } from "../../store/audit.js";
import type { Database } from "../../store/database.js";
import { getProject } from "../../store/projects.js";
import { claimVerdict, threadPullRequest } from "../../store/pull-requests.js";
import type { Job, JobQueue } from "../../store/queue/types.js";
import { threadKey as keyOf } from "../../store/thread-key.js";
import type { JobContext, JobHandler, JobOutcome } from "../../worker/handler.js";
import type { ThreadPoster } from "../../worker/publisher.js";
import { failingStepTail } from "../build-watch.js";
import { connectionSecrets, type ForgeConnection } from "../connection.js";
import type { CombinedCommitStatus, CommitStatus } from "../forge.js";
import { ErrInvalidProjectJob } from "../project-jobs.js";
import { Redactor } from "../redact.js";
import { type CiWatchPayload, ciWatchKey, CiWatchPayload as Schema } from "./payloads.js";

export interface CiWatchDeps {
  db: Database;
  queue: JobQueue;
  connect(): Promise<ForgeConnection>;
  poster: ThreadPoster;
  log: Logger;
  /** First wait between polls (default 5 s), doubling up to `maxDelayMs` (default 60 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** States after which a commit's CI says no more (a status of `pending` may still change). */
const Final = new Set(["success", "failure", "error", "warning", "skipped"]);

/** The status a person should look at: the first failing one, else the first. */
function leading(status: CombinedCommitStatus): CommitStatus | undefined {
  return status.statuses.find((s) => s.state === "failure" || s.state === "error") ?? status.statuses[0];
}

/**
 * The `ci_watch` job: poll the combined commit status of the pushed commit (Gitea's, which
 * Woodpecker or any CI reporting statuses fills) with back-off until it is final or the deadline
 * passes, then post the verdict in the thread exactly once (ci_verdicts is the claim, across
 * replicas and restarts). A watch whose commit is no longer the pull request's head ends quietly.
 * Interrupted (shutdown, a replica that died and lost its lease), it is queued again with the
 * same deadline, and whichever replica claims it goes on.
 */
export function ciWatchJobHandler(deps: CiWatchDeps): JobHandler {
  const { db, log } = deps;

  function parse(job: Job): CiWatchPayload {
    const parsed = Schema.safeParse(job.payload);
    if (!parsed.success) throw new ErrInvalidProjectJob(job.id, job.kind, parsed.error.message);
    return parsed.data;
  }

  async function verdictOf(
    p: CiWatchPayload,
    status: CombinedCommitStatus,
    connection: ForgeConnection,
  ): Promise<Verdict> {
    const lead = leading(status);
    const failed = status.state === "failure" || status.state === "error";
    const verdict: Verdict = {
      state: failed ? (status.state as "failure" | "error") : "success",
      sha: p.sha,
      prNumber: p.prNumber,
      prUrl: p.prUrl,
      targetUrl: lead?.targetUrl || undefined,
      context: lead?.context,
    };
    const ci = connection.ci;
    if (!failed || !ci || !lead?.targetUrl) return verdict;
    // A Woodpecker pipeline page: read its failing step's log (tokens removed).
    const m = new RegExp(`^${ci.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/repos/(\\d+)/pipeline/(\\d+)`).exec(
      lead.targetUrl,
    );
    const project = await getProject(db, p.project);
    const repoId = m ? Number(m[1]) : undefined;
    if (!m || repoId === undefined || (project?.ciRepoId != null && project.ciRepoId !== repoId)) return verdict;
    try {
      const pipeline = await ci.pipeline(repoId, Number(m[2]));
      const tail = await failingStepTail(ci, repoId, pipeline, new Redactor(connectionSecrets(connection)));
      return tail ? { ...verdict, tail } : verdict;
    } catch (err) {
      log.warn({ err: messageOf(err) }, "ci watch: could not read the failing step's log");
      return verdict;
    }
  }

  async function announce(ctx: JobContext, p: CiWatchPayload, verdict: Verdict): Promise<void> {
    const key = keyOf(p);
    const mine = await claimVerdict(db, {
      threadKey: key,
      commit: p.sha,
      state: verdict.state,
      detail: verdictPlainText(verdict),
      claimant: ctx.job.id,
    });
    if (!mine) return;
    await deps.poster.postInThread({ channel: p.channelId, threadTs: p.threadTs }, verdictMessage(verdict));
    await recordAudit(db, {
      actor: "system",
      action: "ci.verdict",
      threadKey: key,
      detail: { project: p.project, commit: p.sha, state: verdict.state, pr: p.prNumber, target: verdict.targetUrl },
    }).catch((err: unknown) => log.warn({ err: messageOf(err) }, "could not write the CI verdict audit record"));
  }

  return {
    async run(ctx): Promise<JobOutcome> {
      const p = parse(ctx.job);
      const key = keyOf(p);
      const deadline = Date.parse(p.deadlineAt);
      let delay = deps.initialDelayMs ?? 5_000;
      const maxDelay = deps.maxDelayMs ?? 60_000;
      for (;;) {
        const stop = ctx.stopReason();
        if (stop?.kind === "cancel") return { status: "cancelled", by: stop.by };
        if (stop)
          return {
            status: "interrupted",
            error: stop.kind === "shutdown" ? "the worker shut down" : "the worker lost its lease",
          };
        const pr = await threadPullRequest(db, key);
        if (pr && pr.headSha !== p.sha) return { status: "succeeded" }; // a newer push has its own watch
        try {
          const connection = await deps.connect();
          const forge = connection.forge;
          if (!forge) return { status: "failed", error: "no forge is configured" };
          const status = await forge.commitStatus(p.owner, p.repo, p.sha);
          if (status.statuses.length > 0 && Final.has(status.state)) {
            await announce(ctx, p, await verdictOf(p, status, connection));
            return { status: "succeeded" };
          }
        } catch (err) {
          // The forge is down or refused: keep watching until the deadline.
          log.warn({ jobId: ctx.job.id, err: messageOf(err) }, "ci watch: could not read the commit status");
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          await announce(ctx, p, {
            state: "timeout",
            sha: p.sha,
            prNumber: p.prNumber,
            prUrl: p.prUrl,
            deadlineMinutes:
              p.deadlineMinutes ?? Math.max(1, Math.round((deadline - ctx.job.createdAt.getTime()) / 60_000)),
          });
          return { status: "succeeded" };
        }
        await sleep(Math.min(delay, left), ctx.signal);
        delay = Math.min(delay * 2, maxDelay);
      }
    },
    /** Taken over: the same watch again (same deadline), for whichever replica claims it next. */
    async interrupted(job, reason) {
      const parsed = Schema.safeParse(job.payload);
      if (!parsed.success) return;
      const p = parsed.data;
      const next = { ...p, generation: p.generation + 1 };
      const key = ciWatchKey(keyOf(p), p.sha);
      await deps.queue.enqueue({
        kind: "ci_watch",
        threadKey: key,
        payload: next,
        dedupeKey: `${key}:${next.generation}`,
      });
      log.info({ jobId: job.id, reason, sha: p.sha }, "ci watch queued again after an interruption");
    },
  };
}
