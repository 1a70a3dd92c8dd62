import type { Queryable } from "../database.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
import type { Job } from "./types.js";

/** PostgreSQL's unique_violation: another worker claimed the same thread at the same moment. */
const UniqueViolation = "23505";

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === UniqueViolation;
}

/**
 * Claim up to `limit` queued jobs for `workerId` with a lease of `leaseMs`.
 *
 * A job is a candidate when it is the oldest active (queued or running) job of its thread:
 * the oldest queued one, with nothing of the thread running (a running job is always its
 * thread's oldest active job, since only a thread's head is ever claimed). `FOR UPDATE
 * SKIP LOCKED` lets concurrent claimers pass over each other's rows, and re-checks a row
 * that changed after the snapshot (a job cancelled meanwhile is not claimed). The query is
 * written as a per-row index probe, not an anti-join, so stale planner statistics (a table
 * analyzed while it was tiny) cannot turn a claim into a scan of the whole backlog. The partial unique index on running thread keys is the backstop: if two
 * claims race for one thread, one statement fails and claims nothing this time.
 */
export async function claimJobs(db: Queryable, workerId: string, limit: number, leaseMs: number): Promise<Job[]> {
  if (limit <= 0) return [];
  try {
    const { rows } = await db.query<JobRow>(
      `WITH candidate AS (
         SELECT j.id FROM jobs j
         WHERE j.status = 'queued'
           AND j.seq = (SELECT h.seq FROM jobs h
                        WHERE h.thread_key = j.thread_key AND h.status IN ('queued', 'running')
                        ORDER BY h.seq LIMIT 1)
         ORDER BY j.seq
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs SET status = 'running', holder = $1, attempts = jobs.attempts + 1,
         started_at = now(), lease_until = now() + $3 * interval '1 millisecond'
       WHERE jobs.id = ANY (ARRAY(SELECT id FROM candidate))
       RETURNING ${jobColumns("jobs")}`,
      [workerId, limit, leaseMs],
    );
    return rows.sort((a, b) => a.seq - b.seq).map((r) => jobFromRow(r));
  } catch (err) {
    if (isUniqueViolation(err)) return [];
    throw err;
  }
}
