import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ErrProjectNotFound } from "./errors.js";
import type { GitRunner } from "./git.js";
import { gitDirOf, type ProjectRepository, validateProjectName } from "./project.js";

/**
 * The embedded default, without a forge: a project is a git repository under the data
 * directory (`<data>/projects/<name>`, the layout src/ci/provision uses), its default branch
 * checked out there and its first commit made from a template (a directory, or rendered files).
 * Thread branches stay in it; people fetch them from there. An existing repository elsewhere can
 * be a project too (`openProjectPath`).
 */

export interface LocalProjectOptions {
  /** CODETHREAD_DATA_DIR. */
  dataDir: string;
  name: string;
  /** Files of the first commit, copied as they are (a `.git` in it is skipped; its .gitignore applies). */
  templateDir?: string;
  /** Or the files themselves (a rendered template); paths must stay inside the repository. */
  files?: readonly { path: string; content: Buffer | string }[];
  /** Default: `Create <name>` (`… from template <dir>` with a template directory). */
  message?: string;
  /** Default `main`. */
  defaultBranch?: string;
}

/** Where a local project's repository is. */
export function localProjectDir(dataDir: string, name: string): string {
  return path.join(path.resolve(dataDir), "projects", validateProjectName(name));
}

/**
 * Create the local project, or finish one a failure left half-made (a repository without its
 * first commit). Repeating it for a complete project changes nothing (`created: false`). A
 * directory in the way that is not a git repository is refused, never overwritten.
 */
export async function ensureLocalProject(
  git: GitRunner,
  options: LocalProjectOptions,
): Promise<{ project: ProjectRepository; created: boolean }> {
  const branch = options.defaultBranch ?? "main";
  const repoDir = localProjectDir(options.dataDir, options.name);
  const project: ProjectRepository = { name: options.name, repoDir, defaultBranch: branch };
  const template = options.templateDir ? path.resolve(options.templateDir) : undefined;
  if (template && !statSync(template, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ErrProjectNotFound(template, "the template is not a directory");
  }
  if (!existsSync(path.join(repoDir, ".git"))) {
    if (existsSync(repoDir) && readdirSync(repoDir).length > 0) {
      throw new ErrProjectNotFound(repoDir, "the directory exists, is not empty and is not a git repository");
    }
    mkdirSync(repoDir, { recursive: true });
    await git.run(["init", "-q", `--initial-branch=${branch}`], { cwd: repoDir });
  }
  const call = { cwd: repoDir };
  const has = await git.run(["rev-parse", "--verify", "-q", `refs/heads/${branch}^{commit}`], {
    ...call,
    okCodes: [1],
  });
  if (has.code === 0) return { project, created: false };

  if (template) {
    cpSync(template, repoDir, { recursive: true, filter: (src) => path.basename(src) !== ".git" });
  }
  for (const file of options.files ?? []) {
    const target = path.resolve(repoDir, file.path);
    if (!target.startsWith(repoDir + path.sep) || target.startsWith(path.join(repoDir, ".git") + path.sep)) {
      throw new ErrProjectNotFound(repoDir, `the template file ${file.path} would land outside the repository`);
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  const message =
    options.message ??
    (template ? `Create ${options.name} from template ${path.basename(template)}` : `Create ${options.name}`);
  await git.run(["add", "--all"], call);
  await git.run(["commit", "-q", "--no-verify", "--allow-empty", "-m", message], call);
  return { project, created: true };
}

/** An existing repository (bare or a clone) at `dir` as a project; its name defaults to the directory's. */
export async function openProjectPath(git: GitRunner, dir: string, name?: string): Promise<ProjectRepository> {
  const absolute = path.resolve(dir);
  await gitDirOf(git, absolute);
  const derived = path
    .basename(absolute)
    .replace(/\.git$/, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 100);
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
