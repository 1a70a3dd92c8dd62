import type { Queryable } from "../database.js";

/**
 * The prompts of a thread's agent runs, oldest first (a pull request's title and description).
 * One scan of the thread's jobs by its key, bounded by `limit`.
 */
export async function threadPrompts(db: Queryable, threadKey: string, limit = 20): Promise<string[]> {
  const { rows } = await db.query<{ prompt: unknown }>(
    `SELECT payload->'prompt' AS prompt FROM jobs
     WHERE thread_key = $1 AND kind = 'agent_run' ORDER BY seq LIMIT $2`,
    [threadKey, limit],
  );
  return rows.map((r) => r.prompt).filter((p): p is string => typeof p === "string" && p.trim() !== "");
}
