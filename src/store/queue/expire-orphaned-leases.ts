import type { Database } from "../database.js";

/**
 * On the embedded database, a job still `running` when the database is opened belongs to a
 * process that is gone: the data directory lock lets only one process in. Expire those
 * leases now, so the first reaper pass interrupts them and tells their threads at once instead
 * of after a full lease. (On PostgreSQL other replicas may hold live leases: never do this.)
 * Returns how many leases were expired.
 */
export async function expireOrphanedLeases(db: Database): Promise<number> {
  if (db.kind === "postgres") return 0;
  const { rowCount } = await db.query(
    "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE status = 'running'",
  );
  return rowCount;
}
