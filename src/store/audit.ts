import type { Queryable } from "./database.js";

/**
 * What audit records say happened. The vocabulary is open (`area.verb`): pull requests, CI verdicts
 * and whatever comes next add their own words without touching this list.
 */
export type KnownAuditAction =
  | "run.queue"
  | "run.start"
  | "run.cancel"
  | "run.finish"
  | "run.interrupted"
  | "tool.use"
  | "session.reset"
  | "permission.allow"
  | "permission.deny"
  | "permission.timeout"
  | "channel.settings"
  | "access.denied"
  | "project.provision"
  | "project.build"
  | "project.use";
export type AuditAction = KnownAuditAction | `${string}.${string}`;

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

/** Which records `listAudit` returns; every filter given must hold. */
export interface AuditFilter {
  threadKey?: string;
  /** Records this person made, or that concern their runs (`detail.requester`). */
  user?: string;
  /** Records of this channel's threads, or naming it (`detail.channel`). */
  channel?: string;
  /** Most records returned, newest first (default 100). */
  limit?: number;
}

/** The newest audit records matching the filter, newest first. */
export async function listAudit(db: Queryable, filter: AuditFilter = {}): Promise<AuditRecord[]> {
  const { rows } = await db.query<{
    id: number;
    at: Date;
    actor: string;
    action: string;
    thread_key: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT id, at, actor, action, thread_key, detail FROM audit_log
     WHERE ($1::text IS NULL OR thread_key = $1)
       AND ($2::text IS NULL OR actor = $2 OR detail->>'requester' = $2)
       AND ($3::text IS NULL OR split_part(thread_key, ':', 2) = $3 OR detail->>'channel' = $3)
     ORDER BY id DESC LIMIT $4`,
    [filter.threadKey ?? null, filter.user ?? null, filter.channel ?? null, filter.limit ?? 100],
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
