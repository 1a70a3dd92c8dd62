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
 * Only the oldest queued job of a thread is a candidate, and only when nothing of that
 * thread is running; `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass over each
 * other's rows. The partial unique index on running thread keys is the backstop: if two
 * claims race for one thread, one statement fails and claims nothing this time.
 */
export async function claimJobs(db: Queryable, workerId: string, limit: number, leaseMs: number): Promise<Job[]> {
  if (limit <= 0) return [];
  try {
    const { rows } = await db.query<JobRow>(
      `WITH candidate AS (
         SELECT j.id FROM jobs j
         WHERE j.status = 'queued'
           AND NOT EXISTS (SELECT 1 FROM jobs r
                           WHERE r.thread_key = j.thread_key AND r.status = 'running')
           AND NOT EXISTS (SELECT 1 FROM jobs e
                           WHERE e.thread_key = j.thread_key AND e.status = 'queued' AND e.seq < j.seq)
         ORDER BY j.seq
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs SET status = 'running', holder = $1, attempts = jobs.attempts + 1,
         started_at = now(), lease_until = now() + $3 * interval '1 millisecond'
       FROM candidate
       WHERE jobs.id = candidate.id AND jobs.status = 'queued'
       RETURNING ${jobColumns("jobs")}`,
      [workerId, limit, leaseMs],
    );
    return rows.sort((a, b) => a.seq - b.seq).map((r) => jobFromRow(r));
  } catch (err) {
    if (isUniqueViolation(err)) return [];
    throw err;
  }
}
