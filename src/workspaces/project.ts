import { hasCode } from "../errors.js";
import { ErrInvalidProjectName, ErrProjectEmpty, ErrProjectNotFound } from "./errors.js";
import type { GitRunner } from "./git.js";

/**
 * A project's repository as the git layer sees it: where its objects live and which branch
 * threads start from. The project service (forge or local) owns everything else about it.
 */
export interface ProjectRepository {
  /** The project's name: a directory name under the worktrees root (see `validateProjectName`). */
  name: string;
  /** A bare repository or a clone's work tree. Threads' worktrees are added to it. */
  repoDir: string;
  /** Branch threads start from. Absent: origin's HEAD, else the repository's HEAD. */
  defaultBranch?: string;
}

/** Lowercase letters, digits, `.`, `_`, `-`; at most 63; not `.`-led, no `..`, not `*.git`/`*.lock`. */
const NamePattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Throws ErrInvalidProjectName unless `name` is safe as a directory and ref component. */
export function validateProjectName(name: string): string {
  if (!NamePattern.test(name) || name.includes("..") || /\.(git|lock)$/.test(name)) {
    throw new ErrInvalidProjectName(name);
  }
  return name;
}

/** Throws ErrProjectNotFound unless `dir` is (inside) a git repository; gives its git directory. */
export async function gitDirOf(git: GitRunner, dir: string): Promise<string> {
  try {
    return await git.text(["rev-parse", "--absolute-git-dir"], { cwd: dir });
  } catch (err) {
    if (hasCode(err, "git_failed")) throw new ErrProjectNotFound(dir, String(err.context.stderr ?? err.message));
    throw err;
  }
}

/** The branch threads of this project start from. */
export async function defaultBranchOf(git: GitRunner, project: ProjectRepository): Promise<string> {
  if (project.defaultBranch) return project.defaultBranch;
  const call = { cwd: project.repoDir, okCodes: [1] };
  const originHead = (await git.run(["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"], call)).stdout.trim();
  if (originHead.startsWith("origin/")) return originHead.slice("origin/".length);
  const head = (await git.run(["symbolic-ref", "-q", "--short", "HEAD"], call)).stdout.trim();
  return head || "main";
}

/** What a new thread branch starts from: the commit, and the ref it was read from. */
export interface BaseRef {
  branch: string;
  /** `refs/remotes/origin/<branch>` when the clone has it (the forge's state), else `refs/heads/<branch>`. */
  ref: string;
  commit: string;
}

/** The default branch's commit; ErrProjectEmpty when it has none. */
export async function baseRefOf(git: GitRunner, project: ProjectRepository): Promise<BaseRef> {
  const branch = await defaultBranchOf(git, project);
  for (const ref of [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`]) {
    const r = await git.run(["rev-parse", "--verify", "-q", `${ref}^{commit}`], { cwd: project.repoDir, okCodes: [1] });
    if (r.code === 0) return { branch, ref, commit: r.stdout.trim() };
  }
  throw new ErrProjectEmpty(project.repoDir, branch);
}
