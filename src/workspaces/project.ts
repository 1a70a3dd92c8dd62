import path from "node:path";
import { ErrInvalidProjectName } from "../ci/errors.js";
import { checkProjectName } from "../ci/project-name.js";
import { hasCode } from "../errors.js";
import type { Project } from "../store/projects.js";
import { ErrProjectEmpty, ErrProjectNotFound } from "./errors.js";
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

/**
 * Throws the forge's ErrInvalidProjectName (src/ci/project-name.ts: letters, digits, `-`, `_`,
 * `.`, at most 100, not `*.git`) unless `name` is a valid project name; further refuses names
 * starting with `-` or `.` and names with `..` or ending in `.lock`, since the name is a
 * directory and a ref component here.
 */
export function validateProjectName(name: string): string {
  checkProjectName(name);
  if (!/^[A-Za-z0-9]/.test(name) || name.includes("..") || /\.lock$/i.test(name)) throw new ErrInvalidProjectName(name);
  return name;
}

/**
 * The git side of a stored project: a local project is its repository (`clone_url` is its
 * path); a forge project is worked on through a bare copy under the data directory
 * (`forgeCopyDir`, kept current with `syncProject`).
 */
export function projectRepository(project: Project, dataDir: string): ProjectRepository {
  const repoDir =
    project.location === "local" && project.cloneUrl ? project.cloneUrl : forgeCopyDir(dataDir, project.name);
  return { name: project.name, repoDir, defaultBranch: project.defaultBranch };
}

/** Where the bare copy of a forge project lives: `<data>/forge-copies/<name>.git`. */
export function forgeCopyDir(dataDir: string, name: string): string {
  return path.join(path.resolve(dataDir), "forge-copies", `${validateProjectName(name)}.git`);
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
