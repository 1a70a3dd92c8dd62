import type { Queryable } from "../database.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
import type { Job } from "./types.js";

export async function getJob(db: Queryable, jobId: string): Promise<Job | undefined> {
  const { rows } = await db.query<JobRow>(`SELECT ${jobColumns("jobs")} FROM jobs WHERE id = $1`, [jobId]);
  return rows[0] ? jobFromRow(rows[0]) : undefined;
}

/** Queued and running jobs, oldest first. */
export async function listActiveJobs(
  db: Queryable,
  filter: { threadKey?: string; limit?: number } = {},
): Promise<Job[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT ${jobColumns("jobs")} FROM jobs
     WHERE status IN ('queued', 'running') AND ($1::text IS NULL OR thread_key = $1)
     ORDER BY seq LIMIT $2`,
    [filter.threadKey ?? null, filter.limit ?? 100],
  );
  return rows.map((r) => jobFromRow(r));
}
