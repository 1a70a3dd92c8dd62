import type { Queryable } from "../database.js";
import { JobsChannel } from "./channels.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
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
