import type { Queryable } from "./database.js";
import { type ThreadRef, threadKey } from "./thread-key.js";

export interface ThreadSession extends ThreadRef {
  threadKey: string;
  provider: string;
  sessionId: string | null;
  project: string | null;
  ownerUserId: string;
  createdAt: Date;
  updatedAt: Date;
  lastRunAt: Date | null;
}

interface SessionRow extends Record<string, unknown> {
  thread_key: string;
  team_id: string;
  channel_id: string;
  thread_ts: string;
  provider: string;
  session_id: string | null;
  project: string | null;
  owner_user_id: string;
  created_at: Date;
  updated_at: Date;
  last_run_at: Date | null;
}

function fromRow(r: SessionRow): ThreadSession {
  return {
    threadKey: r.thread_key,
    teamId: r.team_id,
    channelId: r.channel_id,
    threadTs: r.thread_ts,
    provider: r.provider,
    sessionId: r.session_id,
    project: r.project,
    ownerUserId: r.owner_user_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastRunAt: r.last_run_at,
  };
}

export async function getThreadSession(db: Queryable, key: string): Promise<ThreadSession | undefined> {
  const { rows } = await db.query<SessionRow>("SELECT * FROM thread_sessions WHERE thread_key = $1", [key]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/**
 * Create the thread's session record if it has none; an existing record keeps its provider,
 * owner and session (a thread never switches agents mid-conversation). Returns the record.
 */
export async function ensureThreadSession(
  db: Queryable,
  input: ThreadRef & { provider: string; project?: string | null; ownerUserId: string },
): Promise<ThreadSession> {
  const key = threadKey(input);
  const { rows } = await db.query<SessionRow>(
    `INSERT INTO thread_sessions (thread_key, team_id, channel_id, thread_ts, provider, project, owner_user_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (thread_key) DO UPDATE SET updated_at = thread_sessions.updated_at
     RETURNING *`,
    [key, input.teamId, input.channelId, input.threadTs, input.provider, input.project ?? null, input.ownerUserId],
  );
  return fromRow(rows[0]!);
}

/** Record the agent's session id as soon as it is known (and after each turn). */
export async function setThreadSessionId(db: Queryable, key: string, sessionId: string): Promise<void> {
  await db.query(
    "UPDATE thread_sessions SET session_id = $2, updated_at = now(), last_run_at = now() WHERE thread_key = $1",
    [key, sessionId],
  );
}

/** Forget the thread's agent session (it expired or was deleted): the next turn starts a new one. */
export async function clearThreadSessionId(db: Queryable, key: string): Promise<void> {
  await db.query("UPDATE thread_sessions SET session_id = NULL, updated_at = now() WHERE thread_key = $1", [key]);
}
