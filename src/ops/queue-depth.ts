import type { Database } from "../store/database.js";

/**
 * Jobs queued or running, by kind and status, for the `codethread_queue_jobs` gauge. Read when
 * Prometheus scrapes; the partial index on active jobs keeps it cheap at any backlog.
 */
export async function queueDepth(db: Database): Promise<{ kind: string; status: string; count: number }[]> {
  const { rows } = await db.query<{ kind: string; status: string; count: number }>(
    "SELECT kind, status, count(*)::int AS count FROM jobs WHERE status IN ('queued', 'running') GROUP BY kind, status",
  );
  return rows;
}
