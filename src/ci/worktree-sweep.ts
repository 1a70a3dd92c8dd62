import { existsSync } from "node:fs";
import { messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import type { Queryable } from "../store/database.js";
import { listProjects, type Project } from "../store/projects.js";
import { projectRepository } from "../workspaces/project.js";
import { type PrunePolicy, type PruneResult, pruneProject } from "../workspaces/prune.js";
import { hasForge, type ThreadProjects } from "./thread-projects.js";

export interface WorktreeSweepDeps {
  db: Queryable;
  threads: ThreadProjects;
  /** The data directory (forge projects' copies live under it). */
  dataDir: string;
  /** CODETHREAD_WORKTREE_IDLE and CODETHREAD_WORKTREE_MAX_BYTES. */
  idleMs: number;
  maxBytes?: number;
  log: Logger;
  now?: () => Date;
}

/**
 * The prune policy of a project's thread worktrees (also what `codethread doctor` reports with):
 * a thread's activity is its `thread_sessions.last_run_at`; a worktree is pinned while its thread
 * has a job queued or running; a forge project's branch must be pushed, a local one's committed.
 */
export function threadPrunePolicy(
  d: Pick<WorktreeSweepDeps, "db" | "idleMs" | "maxBytes" | "now">,
  project: Project,
): PrunePolicy {
  return {
    idleMs: d.idleMs,
    maxBytes: d.maxBytes,
    requirePush: hasForge(project),
    now: d.now,
    lastActivity: async (threadKey) => {
      const { rows } = await d.db.query<{ last_run_at: Date | null }>(
        "SELECT last_run_at FROM thread_sessions WHERE thread_key = $1",
        [threadKey],
      );
      return rows[0]?.last_run_at ?? undefined;
    },
    isPinned: async ({ threadKey }) => {
      const { rows } = await d.db.query(
        "SELECT 1 FROM jobs WHERE thread_key = $1 AND status IN ('queued', 'running') LIMIT 1",
        [threadKey],
      );
      return rows.length > 0;
    },
  };
}

export interface SweptProject {
  project: string;
  result?: PruneResult;
  /** Why this project was not swept (its repository is not on this machine, or git failed). */
  skipped?: string;
}

/**
 * One pass of the idle-worktree pruner over every project whose repository is on this machine
 * (src/workspaces/prune.ts decides, worktree by worktree, under the project lock).
 *
 * The policy is `threadPrunePolicy`: a worktree whose thread has a job waiting is pinned, since that
 * session is about to run there. A quiet session stays
 * resumable after pruning — its next run gets the worktree back from the branch, at the same
 * path, which is the directory the Claude CLI keys the session by. Kubernetes mode's worktrees
 * live in the project pods and are not swept here.
 */
export async function sweepWorktrees(d: WorktreeSweepDeps): Promise<SweptProject[]> {
  const out: SweptProject[] = [];
  for (const project of await listProjects(d.db)) {
    const repo = projectRepository(project, d.dataDir);
    if (!existsSync(repo.repoDir)) {
      out.push({ project: project.name, skipped: "no repository on this machine" });
      continue;
    }
    try {
      const result = await pruneProject(d.threads.git, d.threads.worktrees, repo, threadPrunePolicy(d, project));
      if (result.removed.length > 0 || result.before.overLimit) {
        d.log.info(
          {
            project: project.name,
            removed: result.removed.map((w) => w.branch ?? w.path),
            freedBytes: result.freedBytes,
            totalBytes: result.before.totalBytes,
            maxBytes: result.before.maxBytes,
            overLimit: result.before.overLimit,
          },
          result.before.overLimit
            ? "project over its disk bound: idle worktrees pruned; what is left is kept for a reason doctor names"
            : "idle worktrees pruned",
        );
      }
      out.push({ project: project.name, result });
    } catch (err) {
      d.log.warn(
        { err, project: project.name },
        "pruning the project's idle worktrees failed; it is tried again later",
      );
      out.push({ project: project.name, skipped: messageOf(err) });
    }
  }
  return out;
}
