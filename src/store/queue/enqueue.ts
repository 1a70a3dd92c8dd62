import type { Queryable } from "../database.js";
import { JobsChannel } from "./channels.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
import type { EnqueueInput, EnqueueResult } from "./types.js";

type Counted = JobRow & { ahead: number };

/**
 * Add a job, or return the job its dedupe key already names (`created: false`). One
 * statement inserts, reads how many of the thread's jobs are queued or running ahead of it
 * and NOTIFYs idle workers (delivered on commit). A second enqueue with the same key, even
 * concurrent, never creates a second job.
 *
 * Plan: the insert (its trigger adds the job to the thread's counts in `job_threads`, see
 * migration 003) and one primary-key read of that thread row as of this statement's snapshot
 * (the trigger's change is not in it), so the answer costs the same behind 5 or 45,000 queued
 * jobs. Like a count of the thread's jobs from the same snapshot, it does not include enqueues
 * that commit concurrently. A named prepared statement on PostgreSQL.
 */
export async function enqueueJob<P>(db: Queryable, input: EnqueueInput<P>): Promise<EnqueueResult<P>> {
  const { rows } = await db.query<Counted>(
    `WITH ins AS (
       INSERT INTO jobs (kind, thread_key, payload, dedupe_key) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING *
     )
     SELECT ${jobColumns("ins")},
       coalesce((SELECT t.queued + t.running FROM job_threads t WHERE t.thread_key = ins.thread_key), 0) AS ahead,
       pg_notify($5, ins.id)::text AS notified
     FROM ins`,
    [input.kind, input.threadKey, JSON.stringify(input.payload), input.dedupeKey ?? null, JobsChannel],
    { name: "codethread_enqueue_job" },
  );
  if (rows[0]) return { job: jobFromRow<P>(rows[0]), created: true, ahead: rows[0].ahead };

  const existing = await db.query<Counted>(
    `SELECT ${jobColumns("j")},
       (SELECT count(*)::int FROM jobs a
         WHERE a.thread_key = j.thread_key AND a.status IN ('queued', 'running') AND a.seq < j.seq) AS ahead
     FROM jobs j WHERE j.dedupe_key = $1`,
    [input.dedupeKey ?? null],
  );
  const row = existing.rows[0];
  // Unreachable unless the row was deleted between the two statements; insert again then.
  if (!row) return enqueueJob(db, input);
  return { job: jobFromRow<P>(row), created: false, ahead: row.status === "queued" ? row.ahead : 0 };
}
