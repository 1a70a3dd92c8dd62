import { z } from "zod";
import type { Queryable } from "../database.js";
import { ControlChannel } from "./channels.js";
import type { ControlMessage } from "./types.js";

const ControlMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("cancel"), jobId: z.string(), by: z.string() }),
  z.object({
    type: z.literal("permission"),
    jobId: z.string(),
    requestId: z.string(),
    decision: z.object({ allow: z.boolean(), message: z.string().optional() }),
    by: z.string(),
  }),
]);

export interface StoredControl {
  id: number;
  jobId: string;
  message: ControlMessage;
}

/**
 * Store a control message for a job and NOTIFY its id (in `db`'s transaction, if any: the
 * notification is delivered on commit). Returns the control id.
 */
export async function sendControl(db: Queryable, message: ControlMessage): Promise<number> {
  const { rows } = await db.query<{ id: number; notified: string }>(
    `WITH ins AS (INSERT INTO job_controls (job_id, message) VALUES ($1, $2::jsonb) RETURNING id, job_id)
     SELECT id, pg_notify($3, id::text || ':' || job_id)::text AS notified FROM ins`,
    [message.jobId, JSON.stringify(message), ControlChannel],
  );
  return rows[0]!.id;
}

/**
 * Take the unconsumed control messages of these jobs (by id when `controlIds` is given),
 * marking them consumed so each is handled once. Malformed rows are consumed and skipped.
 */
export async function takeControls(
  db: Queryable,
  jobIds: readonly string[],
  controlIds?: readonly number[],
): Promise<StoredControl[]> {
  if (jobIds.length === 0) return [];
  const { rows } = await db.query<{ id: number; job_id: string; message: unknown }>(
    `UPDATE job_controls SET consumed_at = now()
     WHERE consumed_at IS NULL AND job_id = ANY($1::text[]) AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
     RETURNING id, job_id, message`,
    [[...jobIds], controlIds ? [...controlIds] : null],
  );
  const out: StoredControl[] = [];
  for (const r of rows.sort((a, b) => a.id - b.id)) {
    const parsed = ControlMessageSchema.safeParse(r.message);
    if (parsed.success && parsed.data.jobId === r.job_id) out.push({ id: r.id, jobId: r.job_id, message: parsed.data });
  }
  return out;
}
