import type { Queryable } from "./database.js";

export type AuditAction =
  | "run.start"
  | "run.queue"
  | "run.cancel"
  | "run.finish"
  | "run.interrupted"
  | "permission.allow"
  | "permission.deny"
  | "permission.timeout"
  | "access.denied"
  | "project.provision"
  | "project.build"
  | "project.use";

export interface AuditRecord {
  id: number;
  at: Date;
  actor: string;
  action: string;
  threadKey: string | null;
  detail: Record<string, unknown>;
}

/** Append one audit record. `detail` must not contain secrets. */
export async function recordAudit(
  db: Queryable,
  entry: { actor: string; action: AuditAction; threadKey?: string; detail?: Record<string, unknown> },
): Promise<void> {
  await db.query("INSERT INTO audit_log (actor, action, thread_key, detail) VALUES ($1, $2, $3, $4)", [
    entry.actor,
    entry.action,
    entry.threadKey ?? null,
    JSON.stringify(entry.detail ?? {}),
  ]);
}

export async function listAudit(
  db: Queryable,
  filter: { threadKey?: string; limit?: number } = {},
): Promise<AuditRecord[]> {
  const { rows } = await db.query<{
    id: number;
    at: Date;
    actor: string;
    action: string;
    thread_key: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT id, at, actor, action, thread_key, detail FROM audit_log
     WHERE ($1::text IS NULL OR thread_key = $1) ORDER BY id DESC LIMIT $2`,
    [filter.threadKey ?? null, filter.limit ?? 100],
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    threadKey: r.thread_key,
    detail: r.detail,
  }));
}
