import type { Queryable } from "./database.js";

/** The window of the per-person daily budget. */
export const DailyBudgetWindowMs = 24 * 60 * 60_000;

/**
 * What a person's runs cost in the last `windowMs`: the sum of the costs recorded with their
 * finished runs (`run.finish` audit records, attributed to who asked). Runs still going count once
 * they finish. One indexed scan (audit_log_action_actor_at).
 */
export async function userRunCost(db: Queryable, userId: string, windowMs = DailyBudgetWindowMs): Promise<number> {
  const { rows } = await db.query<{ total: string | number | null }>(
    `SELECT coalesce(sum((detail->>'costUsd')::numeric), 0) AS total FROM audit_log
     WHERE action = 'run.finish' AND actor = $1 AND at > now() - make_interval(secs => $2)
       AND jsonb_typeof(detail->'costUsd') = 'number'`,
    [userId, windowMs / 1000],
  );
  return Number(rows[0]?.total ?? 0);
}
