import type { Queryable } from "../database.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
import type { Job } from "./types.js";

/**
 * The running jobs `workerId` holds, oldest first. After a claim whose answer was lost (the
 * connection dropped after the commit) these include jobs the worker never started; it adopts
 * them instead of letting their leases run out unrun.
 */
export async function jobsHeldBy(db: Queryable, workerId: string): Promise<Job[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT ${jobColumns("jobs")} FROM jobs WHERE holder = $1 AND status = 'running' ORDER BY seq`,
    [workerId],
  );
  return rows.map((r) => jobFromRow(r));
}
