import type { Queryable } from "../database.js";

/**
 * Extend the leases of the running jobs `workerId` holds. Returns the ids still held: a job
 * missing from the answer was reaped (its lease had expired) or finished elsewhere, and
 * its run must stop. Only `lease_until` changes, so the `job_threads` triggers do not fire. A named prepared
 * statement on PostgreSQL (it runs every lease/3 per worker).
 */
export async function extendLeases(
  db: Queryable,
  workerId: string,
  jobIds: readonly string[],
  leaseMs: number,
): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `UPDATE jobs SET lease_until = now() + $3 * interval '1 millisecond'
     WHERE id = ANY($2::text[]) AND holder = $1 AND status = 'running'
     RETURNING id`,
    [workerId, [...jobIds], leaseMs],
    { name: "codethread_extend_leases" },
  );
  return new Set(rows.map((r) => r.id));
}
