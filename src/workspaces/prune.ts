import { directoryBytes } from "./disk-usage.js";
import type { GitRunner } from "./git.js";
import { baseRefOf, type ProjectRepository } from "./project.js";
import type { ListedWorktree, ThreadWorktrees } from "./thread-worktrees.js";

/**
 * Which thread worktrees may go, and how much disk a project uses.
 *
 * A worktree is pruned only when **all** hold: codethread made it (it has a record), nobody
 * locked it (`git worktree lock`), no resumable session points at it (`isPinned`), its thread
 * has been quiet for `idleMs`, it has no uncommitted changes, and its branch is either empty
 * (no commits beyond the default branch: the branch goes too) or safe elsewhere — pushed
 * (`origin/<branch>` equals HEAD) or, for a local project (`requirePush: false`), committed
 * on its branch in the project repository. A pruned thread's next run gets its worktree back
 * from its branch, at the same path. Everything is re-checked under the project lock just
 * before removal, so a thread that wakes up meanwhile keeps its worktree.
 */

export type WorktreeState =
  /** Uncommitted or untracked files: never pruned. */
  | "dirty"
  /** Clean, no commits of its own. */
  | "empty"
  /** Clean, HEAD is what the forge has. */
  | "pushed"
  /** Clean, commits the forge does not have. */
  | "unpushed"
  /** Clean, commits on its branch (a local project: the branch is the deliverable). */
  | "committed";

export type KeepReason = "not_ours" | "locked" | "pinned" | "dirty" | "unpushed" | "active";

export interface WorktreeAssessment {
  path: string;
  branch?: string;
  threadKey?: string;
  bytes: number;
  state?: WorktreeState;
  /** When its thread last did something (the caller's activity, else when the worktree was made). */
  quietSince?: Date;
  decision: { prune: true; deleteBranch: boolean } | { prune: false; reason: KeepReason };
}

export interface PrunePolicy {
  /** How long a thread must have been quiet (CODETHREAD_WORKTREE_IDLE). */
  idleMs: number;
  /** Disk bound per project, repository included (CODETHREAD_WORKTREE_MAX_BYTES). */
  maxBytes?: number;
  /** Forge projects: a branch must be pushed first. Local projects: committed is enough. Default true. */
  requirePush?: boolean;
  /** The thread's last activity (e.g. thread_sessions.last_run_at); undefined: the worktree's creation. */
  lastActivity: (threadKey: string) => Date | undefined | Promise<Date | undefined>;
  /** A resumable session points at this worktree: never delete it. */
  isPinned: (worktree: { threadKey: string; path: string }) => boolean | Promise<boolean>;
  now?: () => Date;
}

export interface ProjectDiskReport {
  project: string;
  repoBytes: number;
  worktreeBytes: number;
  totalBytes: number;
  maxBytes?: number;
  overLimit: boolean;
  /** Every thread worktree, oldest-quiet first: the order pruning goes in. */
  worktrees: WorktreeAssessment[];
  /** Over the limit: the worktrees (oldest-quiet first) whose removal would bring it back under, prunable or not. */
  excess: WorktreeAssessment[];
}

export interface PruneResult {
  removed: WorktreeAssessment[];
  freedBytes: number;
  /** The report as it was before pruning. */
  before: ProjectDiskReport;
}

/** Assess every thread worktree of the project and measure its disk use. Changes nothing. */
export async function assessProject(
  git: GitRunner,
  worktrees: ThreadWorktrees,
  project: ProjectRepository,
  policy: PrunePolicy,
): Promise<ProjectDiskReport> {
  const listed = await worktrees.list(project);
  const base = await baseRefOf(git, project).catch(() => undefined);
  const assessed = await Promise.all(listed.map((w) => assess(git, w, base?.commit, policy)));
  assessed.sort((a, b) => (a.quietSince?.getTime() ?? 0) - (b.quietSince?.getTime() ?? 0));
  const repoBytes = await directoryBytes(project.repoDir);
  const worktreeBytes = assessed.reduce((n, w) => n + w.bytes, 0);
  const totalBytes = repoBytes + worktreeBytes;
  const overLimit = policy.maxBytes !== undefined && totalBytes > policy.maxBytes;
  const excess: WorktreeAssessment[] = [];
  if (overLimit && policy.maxBytes !== undefined) {
    let left = totalBytes;
    for (const w of assessed) {
      if (left <= policy.maxBytes) break;
      excess.push(w);
      left -= w.bytes;
    }
  }
  return {
    project: project.name,
    repoBytes,
    worktreeBytes,
    totalBytes,
    maxBytes: policy.maxBytes,
    overLimit,
    worktrees: assessed,
    excess,
  };
}

/** Remove every prunable worktree, oldest-quiet first, re-checking each under the project lock. */
export async function pruneProject(
  git: GitRunner,
  worktrees: ThreadWorktrees,
  project: ProjectRepository,
  policy: PrunePolicy,
): Promise<PruneResult> {
  const before = await assessProject(git, worktrees, project, policy);
  const removed: WorktreeAssessment[] = [];
  for (const w of before.worktrees) {
    if (!w.decision.prune) continue;
    const gone = await worktrees.remove(project, w.path, {
      deleteBranch: w.decision.deleteBranch ? w.branch?.replace(/^refs\/heads\//, "") : undefined,
      unless: async () => {
        const again = (await worktrees.list(project)).find((l) => l.path === w.path);
        if (!again) return true;
        const base = await baseRefOf(git, project).catch(() => undefined);
        return !(await assess(git, again, base?.commit, policy)).decision.prune;
      },
    });
    if (gone) removed.push(w);
  }
  return { removed, freedBytes: removed.reduce((n, w) => n + w.bytes, 0), before };
}

async function assess(
  git: GitRunner,
  w: ListedWorktree,
  baseCommit: string | undefined,
  policy: PrunePolicy,
): Promise<WorktreeAssessment> {
  const bytes = await directoryBytes(w.path);
  const common = { path: w.path, branch: w.branch, bytes };
  const record = w.record;
  if (!record) return { ...common, decision: { prune: false, reason: "not_ours" } };
  const activity = (await policy.lastActivity(record.threadKey)) ?? new Date(record.createdAt);
  const known = { ...common, threadKey: record.threadKey, quietSince: activity };
  const state = await stateOf(git, w, baseCommit, policy.requirePush ?? true);
  const keep = (reason: KeepReason): WorktreeAssessment => ({ ...known, state, decision: { prune: false, reason } });
  if (w.locked) return keep("locked");
  if (await policy.isPinned({ threadKey: record.threadKey, path: w.path })) return keep("pinned");
  if (state === "dirty") return keep("dirty");
  if (state === "unpushed") return keep("unpushed");
  const now = (policy.now?.() ?? new Date()).getTime();
  if (now - activity.getTime() < policy.idleMs) return keep("active");
  return { ...known, state, decision: { prune: true, deleteBranch: state === "empty" } };
}

async function stateOf(
  git: GitRunner,
  w: ListedWorktree,
  baseCommit: string | undefined,
  requirePush: boolean,
): Promise<WorktreeState> {
  const cwd = w.path;
  const status = await git.run(["status", "--porcelain=v1", "-z", "--untracked-files=normal"], { cwd, maxBytes: 64 });
  if (status.stdout !== "") return "dirty";
  const head = w.head ?? (await git.text(["rev-parse", "HEAD"], { cwd }));
  if (baseCommit) {
    const ahead = await git.text(["rev-list", "--count", `${baseCommit}..${head}`], { cwd });
    if (ahead === "0") return "empty";
  }
  const branch = w.branch?.replace(/^refs\/heads\//, "");
  if (branch) {
    const pushed = await git.run(["rev-parse", "--verify", "-q", `refs/remotes/origin/${branch}`], {
      cwd,
      okCodes: [1],
    });
    if (pushed.code === 0 && pushed.stdout.trim() === head) return "pushed";
  }
  return requirePush ? "unpushed" : "committed";
}
