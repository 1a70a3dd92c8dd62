import type { Queryable } from "../database.js";
import { JobsChannel } from "./channels.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
import type { Job } from "./types.js";

/**
 * Mark running jobs whose lease expired (their worker stopped heartbeating: crashed, killed,
 * partitioned) as `interrupted`. They are not re-run: an agent run changes code. Exactly one
 * reaper gets each job. Returns the jobs it interrupted.
 *
 * Plan: the partial index `jobs_running_lease`; per job, the `job_threads` trigger (migration 003) sets its
 * thread's running count back to 0, so the next queued job of the thread becomes claimable with this commit.
 */
export async function reapExpiredLeases(db: Queryable): Promise<Job[]> {
  const { rows } = await db.query<JobRow & { notified: string }>(
    `UPDATE jobs SET status = 'interrupted', finished_at = now(), lease_until = NULL,
       error = 'its worker (' || coalesce(holder, 'unknown') || ') stopped before the run finished'
     WHERE status = 'running' AND lease_until < now()
     RETURNING ${jobColumns("jobs")}, pg_notify($1, jobs.thread_key)::text AS notified`,
    [JobsChannel],
  );
  return rows.map((r) => jobFromRow(r));
}
