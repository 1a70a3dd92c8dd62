import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Logger } from "../log.js";
import { ErrWorktreePathTaken } from "./errors.js";
import type { GitRunner } from "./git.js";
import { baseRefOf, type ProjectRepository, validateProjectName } from "./project.js";
import { withProjectLock } from "./project-lock.js";
import { shortThreadId, threadBranch } from "./thread-id.js";
import { listWorktrees, type WorktreeEntry } from "./worktree-list.js";

/**
 * A worktree and a branch per thread: `<root>/<project>/<short thread id>` on
 * `codethread/<short thread id>`, made from the project's default branch on the thread's first
 * run and reused, at the same absolute path, by every later run (the Claude CLI keys its
 * sessions by working directory). Two threads never share one: the directory and the branch
 * come from the thread key, and each worktree records whose it is.
 *
 * Creation and removal are serialized per project (project-lock.ts); a second `ensure` of the
 * same thread waiting on the lock finds the first one's worktree and reuses it.
 */

/** Written into the worktree's administrative directory (`<repo>/worktrees/<id>/`), outside the agent's files. */
const RecordFile = "codethread.json";

const WorktreeRecord = z.object({
  threadKey: z.string(),
  branch: z.string(),
  baseBranch: z.string(),
  baseCommit: z.string(),
  createdAt: z.string(),
});
export type WorktreeRecord = z.infer<typeof WorktreeRecord>;

export interface ThreadWorktree {
  project: string;
  threadKey: string;
  branch: string;
  /** Absolute and canonical (symlinks resolved): the same on every run of the thread. */
  path: string;
  /** This call made it (the thread's first run, or its worktree had been pruned). */
  created: boolean;
  baseBranch: string;
}

/** A thread worktree found on disk, for pruning and reports. */
export interface ListedWorktree {
  path: string;
  branch?: string;
  head?: string;
  locked: boolean;
  /** Absent when the worktree was not made by codethread (or its record is unreadable). */
  record?: WorktreeRecord;
}

export interface RemoveOptions {
  /** Also delete this branch (one without commits of its own). */
  deleteBranch?: string;
  /** Checked under the project lock just before removing: true keeps the worktree (it came back to life). */
  unless?: () => Promise<boolean>;
}

export interface ThreadWorktreesOptions {
  /** Parent of every project's worktrees, e.g. `$CODETHREAD_DATA_DIR/worktrees`. */
  root: string;
  git: GitRunner;
  log?: Logger;
}

export class ThreadWorktrees {
  readonly #root: string;
  readonly #git: GitRunner;
  readonly #log: Logger | undefined;

  constructor(options: ThreadWorktreesOptions) {
    mkdirSync(options.root, { recursive: true });
    this.#root = realpathSync(options.root);
    this.#git = options.git;
    this.#log = options.log;
  }

  /** The project's directory of worktrees. */
  projectDir(project: ProjectRepository): string {
    return path.join(this.#root, validateProjectName(project.name));
  }

  /** Where the thread's worktree is (or will be). */
  pathFor(project: ProjectRepository, threadKey: string): string {
    return path.join(this.projectDir(project), shortThreadId(threadKey));
  }

  /** The thread's worktree: made on first use, reused afterwards. */
  ensure(project: ProjectRepository, threadKey: string): Promise<ThreadWorktree> {
    const dir = this.pathFor(project, threadKey);
    const branch = threadBranch(threadKey);
    return withProjectLock(project.repoDir, async () => {
      const cwd = project.repoDir;
      const git = this.#git;
      let entries = await listWorktrees(git, cwd);
      let entry = entries.find((e) => samePath(e.path, dir));
      if (entry && !entry.prunable && existsSync(dir)) {
        const record = await this.#readRecord(dir);
        if (record && record.threadKey !== threadKey) {
          throw new ErrWorktreePathTaken(dir, "it belongs to another thread (a short id collision)");
        }
        if (entry.branch !== `refs/heads/${branch}`) {
          throw new ErrWorktreePathTaken(dir, `it has ${entry.branch ?? "a detached HEAD"} checked out, not ${branch}`);
        }
        return {
          project: project.name,
          threadKey,
          branch,
          path: dir,
          created: false,
          baseBranch: record?.baseBranch ?? "",
        };
      }
      if (entry || entries.some((e) => e.prunable)) {
        await git.run(["worktree", "prune"], { cwd }); // a directory deleted by hand, a crash mid-add
        entries = await listWorktrees(git, cwd);
        entry = entries.find((e) => samePath(e.path, dir));
      }
      if (existsSync(dir)) {
        if (readdirSync(dir).length > 0) throw new ErrWorktreePathTaken(dir, "the directory exists and is not empty");
        rmdirSync(dir);
      }
      mkdirSync(path.dirname(dir), { recursive: true });
      const base = await baseRefOf(git, project);
      const hasBranch = await git.test(["show-ref", "--verify", "--quiet", `refs/heads/${branch}`], { cwd });
      // An existing branch is the thread's earlier work (its worktree was pruned): continue on it.
      const args = hasBranch
        ? ["worktree", "add", dir, branch]
        : ["worktree", "add", "--no-track", "-b", branch, dir, base.commit];
      await git.run(args, { cwd });
      const record: WorktreeRecord = {
        threadKey,
        branch,
        baseBranch: base.branch,
        baseCommit: base.commit,
        createdAt: new Date().toISOString(),
      };
      const adminDir = await git.text(["rev-parse", "--absolute-git-dir"], { cwd: dir });
      writeFileSync(path.join(adminDir, RecordFile), `${JSON.stringify(record)}\n`);
      this.#log?.info({ project: project.name, branch, path: dir, resumed: hasBranch }, "thread worktree created");
      return { project: project.name, threadKey, branch, path: dir, created: true, baseBranch: base.branch };
    });
  }

  /** The project's thread worktrees (those under its directory), with their records. */
  async list(project: ProjectRepository): Promise<ListedWorktree[]> {
    const parent = this.projectDir(project);
    const entries = await listWorktrees(this.#git, project.repoDir);
    const mine = entries.filter((e: WorktreeEntry) => !e.bare && !e.prunable && samePath(path.dirname(e.path), parent));
    return Promise.all(
      mine.map(async (e) => ({
        path: e.path,
        branch: e.branch,
        head: e.head,
        locked: e.locked,
        record: await this.#readRecord(e.path),
      })),
    );
  }

  /**
   * Remove a thread's worktree directory and its git bookkeeping; false when `unless` kept it.
   * Its branch stays unless `deleteBranch`: a later run of the thread continues on it. Callers
   * check that nothing is lost (prune.ts); this removes even uncommitted work.
   */
  remove(project: ProjectRepository, worktreePath: string, options: RemoveOptions = {}): Promise<boolean> {
    return withProjectLock(project.repoDir, async () => {
      if (options.unless && (await options.unless())) return false;
      const cwd = project.repoDir;
      await this.#git.run(["worktree", "remove", "--force", worktreePath], { cwd });
      if (options.deleteBranch) await this.#git.run(["branch", "-D", options.deleteBranch], { cwd });
      this.#log?.info({ project: project.name, path: worktreePath }, "thread worktree removed");
      return true;
    });
  }

  async #readRecord(dir: string): Promise<WorktreeRecord | undefined> {
    try {
      const adminDir = await this.#git.text(["rev-parse", "--absolute-git-dir"], { cwd: dir });
      const parsed = WorktreeRecord.safeParse(JSON.parse(readFileSync(path.join(adminDir, RecordFile), "utf8")));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Same directory, whatever the spelling (git prints canonical paths). */
function samePath(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
