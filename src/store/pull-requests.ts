import type { Queryable } from "./database.js";

/** The pull request a thread's branch has on the forge (one per thread and branch). */
export interface ThreadPullRequest {
  threadKey: string;
  branch: string;
  project: string;
  base: string;
  number: number;
  url: string;
  /** The commit last pushed to it. */
  headSha: string;
  createdBy: string;
}

interface Row extends Record<string, unknown> {
  thread_key: string;
  branch: string;
  project: string;
  base: string;
  number: number;
  url: string;
  head_sha: string;
  created_by: string;
}

const fromRow = (r: Row): ThreadPullRequest => ({
  threadKey: r.thread_key,
  branch: r.branch,
  project: r.project,
  base: r.base,
  number: r.number,
  url: r.url,
  headSha: r.head_sha,
  createdBy: r.created_by,
});

/** The thread's pull request (any branch: a thread has one branch), if it has one. */
export async function threadPullRequest(db: Queryable, threadKey: string): Promise<ThreadPullRequest | undefined> {
  const { rows } = await db.query<Row>(
    "SELECT * FROM thread_pull_requests WHERE thread_key = $1 ORDER BY created_at LIMIT 1",
    [threadKey],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/**
 * Record the thread's pull request, or (it exists) its new head. The first record of a thread and
 * branch stays: a pull request found again after a lost answer keeps its number.
 */
export async function savePullRequest(db: Queryable, pr: ThreadPullRequest): Promise<ThreadPullRequest> {
  const { rows } = await db.query<Row>(
    `INSERT INTO thread_pull_requests (thread_key, branch, project, base, number, url, head_sha, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (thread_key, branch) DO UPDATE SET head_sha = EXCLUDED.head_sha, updated_at = now()
     RETURNING *`,
    [pr.threadKey, pr.branch, pr.project, pr.base, pr.number, pr.url, pr.headSha, pr.createdBy],
  );
  return fromRow(rows[0]!);
}

/**
 * Claim the right to post the verdict of `commit` in the thread. True once per thread and commit
 * across all replicas (and for the same `claimant` again: a retry of its own claim).
 */
export async function claimVerdict(
  db: Queryable,
  verdict: { threadKey: string; commit: string; state: string; detail: string; claimant: string },
): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO ci_verdicts (thread_key, commit_sha, state, detail, claimed_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (thread_key, commit_sha) DO NOTHING RETURNING commit_sha`,
    [verdict.threadKey, verdict.commit, verdict.state, verdict.detail, verdict.claimant],
  );
  if (rows.length === 1) return true;
  const held = await db.query<{ claimed_by: string }>(
    "SELECT claimed_by FROM ci_verdicts WHERE thread_key = $1 AND commit_sha = $2",
    [verdict.threadKey, verdict.commit],
  );
  return held.rows[0]?.claimed_by === verdict.claimant;
}

/** The verdict posted for a commit of the thread: its state and what the CI said (undefined: none yet). */
export async function verdictOf(
  db: Queryable,
  threadKey: string,
  commit: string,
): Promise<{ state: string; detail: string } | undefined> {
  const { rows } = await db.query<{ state: string; detail: string }>(
    "SELECT state, detail FROM ci_verdicts WHERE thread_key = $1 AND commit_sha = $2",
    [threadKey, commit],
  );
  return rows[0];
}
