import type { Database } from "../database.js";
import { sendControl } from "./controls.js";
import { type JobRow, jobColumns, jobFromRow } from "./job-row.js";
import type { CancelResult } from "./types.js";

/**
 * Cancel a job from any replica. Queued: it becomes `cancelled` and never runs. Running:
 * the request is stored on the job and sent to its holder (NOTIFY; the holder's heartbeat
 * also picks it up). Finished: nothing changes, and the answer says so.
 *
 * Plan: the job row is locked first (`FOR UPDATE`, by primary key), so a claim racing for it either took
 * it before (it is running now: cancel is requested) or passes over it (claims lock `SKIP LOCKED` and
 * re-check `queued`). Cancelling a queued job fires the `job_threads` trigger (migration 003), which takes
 * one from the thread's queued count on the thread row's latest version; locks always go job row, then
 * thread row, and a claim never waits, so no deadlock.
 */
export async function cancelJob(db: Database, jobId: string, by: string): Promise<CancelResult> {
  return db.transaction(async (tx): Promise<CancelResult> => {
    const { rows } = await tx.query<JobRow>(`SELECT ${jobColumns("jobs")} FROM jobs WHERE id = $1 FOR UPDATE`, [jobId]);
    const row = rows[0];
    if (!row) return { kind: "not_found" };
    if (row.status === "queued") {
      const done = await tx.query<JobRow>(
        `UPDATE jobs SET status = 'cancelled', finished_at = now(), cancel_requested_by = $2, cancel_requested_at = now()
         WHERE id = $1 RETURNING ${jobColumns("jobs")}`,
        [jobId, by],
      );
      return { kind: "removed_from_queue", job: jobFromRow(done.rows[0]!) };
    }
    if (row.status === "running") {
      const marked = await tx.query<JobRow>(
        `UPDATE jobs SET cancel_requested_by = coalesce(cancel_requested_by, $2),
           cancel_requested_at = coalesce(cancel_requested_at, now())
         WHERE id = $1 RETURNING ${jobColumns("jobs")}`,
        [jobId, by],
      );
      await sendControl(tx, { type: "cancel", jobId, by });
      return { kind: "cancel_requested", job: jobFromRow(marked.rows[0]!) };
    }
    return { kind: "already_finished", job: jobFromRow(row) };
  });
}
