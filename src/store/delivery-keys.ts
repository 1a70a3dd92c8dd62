import { randomUUID } from "node:crypto";
import type { Queryable } from "./database.js";

/**
 * Claim a delivery key (a Slack event id, or channel+ts). True the first time, false for
 * every later delivery with the same key, across all replicas.
 *
 * `claimant` names this delivery's handling: repeating the claim with the same claimant (a retry
 * after the answer was lost on a dropped connection, though the insert committed) is still true,
 * so a retried claim never drops the request it was made for.
 */
export async function claimDeliveryKey(db: Queryable, key: string, claimant: string = randomUUID()): Promise<boolean> {
  const { rows } = await db.query(
    "INSERT INTO delivery_keys (key, claimant) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key",
    [key, claimant],
  );
  if (rows.length === 1) return true;
  const held = await db.query<{ claimant: string | null }>("SELECT claimant FROM delivery_keys WHERE key = $1", [key]);
  return held.rows[0]?.claimant === claimant;
}

/** Give a key back (the delivery's handling failed before anything happened, so a retry may run). */
export async function releaseDeliveryKey(db: Queryable, key: string): Promise<void> {
  await db.query("DELETE FROM delivery_keys WHERE key = $1", [key]);
}

/** Delete keys older than `maxAgeMs` (Slack retries within minutes; a day is plenty). Returns how many. */
export async function pruneDeliveryKeys(db: Queryable, maxAgeMs = 24 * 3_600_000): Promise<number> {
  const { rowCount } = await db.query(
    "DELETE FROM delivery_keys WHERE created_at < now() - ($1 * interval '1 millisecond')",
    [maxAgeMs],
  );
  return rowCount;
}
