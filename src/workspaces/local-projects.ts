import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ErrProjectNotFound } from "./errors.js";
import type { GitRunner } from "./git.js";
import { gitDirOf, type ProjectRepository, validateProjectName } from "./project.js";

/**
 * The embedded default, without a forge: a project is a bare git repository under the data
 * directory (`<data>/projects/<name>.git`), its first commit made from a template directory
 * (rendered by the caller) or empty. Thread branches stay in it; people fetch them from there.
 * An existing repository elsewhere can be a project too (`openProjectPath`).
 */

export interface LocalProjectOptions {
  /** CODETHREAD_DATA_DIR. */
  dataDir: string;
  name: string;
  /** Files of the first commit, taken as they are (its .gitignore applies). Absent: an empty first commit. */
  templateDir?: string;
  /** Default `main`. */
  defaultBranch?: string;
}

/** Where a local project's repository is. */
export function localProjectDir(dataDir: string, name: string): string {
  return path.join(path.resolve(dataDir), "projects", `${validateProjectName(name)}.git`);
}

/**
 * Create the local project, or finish one a failure left half-made (a repository without its
 * first commit). Repeating it for a complete project changes nothing (`created: false`).
 */
export async function ensureLocalProject(
  git: GitRunner,
  options: LocalProjectOptions,
): Promise<{ project: ProjectRepository; created: boolean }> {
  const branch = options.defaultBranch ?? "main";
  const repoDir = localProjectDir(options.dataDir, options.name);
  const project: ProjectRepository = { name: options.name, repoDir, defaultBranch: branch };
  if (options.templateDir && !statSync(options.templateDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ErrProjectNotFound(options.templateDir, "the template is not a directory");
  }
  if (!existsSync(path.join(repoDir, "HEAD"))) {
    mkdirSync(path.dirname(repoDir), { recursive: true });
    await git.run(["init", "--bare", "-q", `--initial-branch=${branch}`, repoDir], { cwd: path.dirname(repoDir) });
  }
  const ref = `refs/heads/${branch}`;
  const has = await git.run(["rev-parse", "--verify", "-q", `${ref}^{commit}`], { cwd: repoDir, okCodes: [1] });
  if (has.code === 0) return { project, created: false };

  let tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"; // the empty tree
  if (options.templateDir) {
    const scratch = mkdtempSync(path.join(tmpdir(), "codethread-template-"));
    try {
      const work = path.resolve(options.templateDir);
      const env = { GIT_DIR: repoDir, GIT_WORK_TREE: work, GIT_INDEX_FILE: path.join(scratch, "index") };
      await git.run(["add", "--all"], { cwd: work, env });
      tree = await git.text(["write-tree"], { cwd: work, env });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const subject = options.templateDir
    ? `Create ${options.name} from template ${path.basename(path.resolve(options.templateDir))}`
    : `Create ${options.name}`;
  const commit = await git.text(["commit-tree", tree, "-m", subject], { cwd: repoDir });
  // The empty old value: only if nobody made the first commit meanwhile.
  await git.run(["update-ref", ref, commit, ""], { cwd: repoDir });
  await git.run(["symbolic-ref", "HEAD", ref], { cwd: repoDir });
  return { project, created: true };
}

/** An existing repository (bare or a clone) at `dir` as a project; its name defaults to the directory's. */
export async function openProjectPath(git: GitRunner, dir: string, name?: string): Promise<ProjectRepository> {
  const absolute = path.resolve(dir);
  await gitDirOf(git, absolute);
  const derived = path
    .basename(absolute)
    .replace(/\.git$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 63);
  return { name: validateProjectName(name ?? (derived || "project")), repoDir: absolute };
}

/** What a person types to get a thread's local branch (shown in the run's final message). */
export function fetchInstructions(repoDir: string, branch: string): string {
  const from = shellQuote(path.resolve(repoDir));
  return `git fetch ${from} ${branch}\ngit switch -c ${branch} FETCH_HEAD`;
}

/** Quoted for a POSIX shell unless it is plainly safe: a person pastes it. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
