import type { Queryable } from "../database.js";
import { JobsChannel } from "./channels.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
import { textPerCount } from "./statement-text.js";
import type { Job } from "./types.js";

export type FinalStatus = "succeeded" | "failed" | "cancelled" | "interrupted";

/**
 * Record the end of a running job held by `workerId`. When its thread has a job queued
 * behind it, idle workers are woken (NOTIFY serializes commits, so it is sent only then;
 * the finishing worker claims again by itself). Returns the finished job, or undefined when the worker no longer
 * held it (its lease expired and it was reaped): the outcome is then not recorded.
 *
 * Plan: a primary-key update; its trigger sets the thread's running count back to 0 in `job_threads`
 * (migration 003) on the row's latest version, so the thread is claimable again once this commits — no
 * head is computed here, so no enqueue that commits meanwhile can be missed. The wake-up test is one
 * probe of `jobs_thread_active` (the first active job after this one). A named prepared statement on PostgreSQL.
 */
export async function finishJob(
  db: Queryable,
  jobId: string,
  workerId: string,
  status: FinalStatus,
  error?: string,
): Promise<Job | undefined> {
  const { rows } = await db.query<JobRow & { notified: string }>(
    `UPDATE jobs SET status = $3, finished_at = now(), lease_until = NULL, error = $4
     WHERE id = $1 AND holder = $2 AND status = 'running'
     RETURNING ${jobColumns("jobs")},
       CASE WHEN EXISTS (SELECT 1 FROM jobs q WHERE q.thread_key = jobs.thread_key
                                    AND q.status IN ('queued', 'running') AND q.seq > jobs.seq)
         THEN pg_notify($5, jobs.thread_key)::text END AS notified`,
    [jobId, workerId, status, error ?? null, JobsChannel],
    { name: "codethread_finish_job" },
  );
  return rows[0] ? jobFromRow(rows[0]) : undefined;
}

export interface Finish {
  jobId: string;
  status: FinalStatus;
  error?: string;
}

/**
 * `finishJob` for several jobs held by `workerId` in one statement (the worker's outcomes of one
 * event-loop turn, see src/worker/finish-batcher.ts): a round trip and a commit per batch instead
 * of per job. Returns the finished jobs by id; a job missing from the map was no longer held by
 * this worker (its outcome is then not recorded, as with `finishJob`).
 *
 * Plan: `unnest` of the three arrays joined to `jobs` by primary key, so the cost is one index probe
 * per job whatever the backlog; each row's `job_threads` trigger runs as in `finishJob`, and the
 * wake-up test is the same per-row probe. Only running jobs of distinct threads are in a batch (one
 * running job per thread), so the thread rows its triggers lock are distinct too.
 */
export async function finishJobs(
  db: Queryable,
  workerId: string,
  finishes: readonly Finish[],
): Promise<Map<string, Job>> {
  if (finishes.length === 0) return new Map();
  const { rows } = await db.query<JobRow & { notified: string }>(
    finishJobsSqlFor(finishes.length),
    [workerId, JobsChannel, ...finishes.flatMap((f) => [f.jobId, f.status, f.error ?? null])],
    { name: `codethread_finish_jobs_${finishes.length}` },
  );
  return new Map(rows.map((r) => [r.id, jobFromRow(r)]));
}

/** Each batch size's statement text, built once (at most the batcher's largest batch of them). */
const finishJobsSqlFor = textPerCount(finishJobsSql);

/**
 * The batch as three arrays of `n` parameters each (`ARRAY[$3, $6, …]`), not as three array parameters: the planner
 * counts an array written out element by element, so the generic plan's estimate is the batch's and PostgreSQL keeps
 * it after five runs; with `unnest($2::text[])` a generic plan assumed ten rows, looked dearer than a plan for the
 * actual two or five, and the statement was planned again at every call (0.46 ms a batch, measured with
 * pg_stat_statements' track_planning). One statement per batch size: at most the worker's concurrency per connection.
 */
function finishJobsSql(n: number): string {
  const column = (offset: number) =>
    `ARRAY[${Array.from({ length: n }, (_, i) => `$${3 + i * 3 + offset}::text`).join(", ")}]`;
  return `UPDATE jobs SET status = b.status, finished_at = now(), lease_until = NULL, error = b.error
     FROM unnest(${column(0)}, ${column(1)}, ${column(2)}) AS b(id, status, error)
     WHERE jobs.id = b.id AND jobs.holder = $1 AND jobs.status = 'running'
     RETURNING ${jobColumns("jobs")},
       CASE WHEN EXISTS (SELECT 1 FROM jobs q WHERE q.thread_key = jobs.thread_key
                                    AND q.status IN ('queued', 'running') AND q.seq > jobs.seq)
         THEN pg_notify($2, jobs.thread_key)::text END AS notified`;
}

/**
 * Put jobs this worker claimed but never started back in the queue (shutdown raced a claim).
 * They keep their place: order is by enqueue sequence (the `job_threads` trigger counts them queued again
 * and moves the thread's ordering key back to them).
 */
export async function releaseJobs(db: Queryable, jobIds: readonly string[], workerId: string): Promise<number> {
  if (jobIds.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE jobs SET status = 'queued', holder = NULL, started_at = NULL, lease_until = NULL, attempts = attempts - 1
     WHERE id = ANY($1::text[]) AND holder = $2 AND status = 'running'`,
    [[...jobIds], workerId],
  );
  return rowCount;
}
