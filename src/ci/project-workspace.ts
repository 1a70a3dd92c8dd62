import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import type { Workspace } from "../agents/request.js";
import { CodethreadError, messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import type { Secret } from "../secret.js";
import type { Database } from "../store/database.js";
import { getProject, type Project } from "../store/projects.js";
import type { ForgeConnection } from "./connection.js";
import { ErrUnknownProject } from "./errors.js";
import { runGit } from "./git.js";
import { localProjectDir } from "./provision/local-repository.js";

/** A project's runs cannot get a directory (no repository yet, the clone failed). */
export class ErrProjectWorkspace extends CodethreadError {
  constructor(name: string, reason: string) {
    super("project_workspace", `Project ${name} has no working copy for this run: ${reason}`, { name });
  }
}

export interface ProjectWorkspaceDeps {
  db: Database;
  /** CODETHREAD_DATA_DIR: clones of forge projects live in its `workspaces/`. */
  dataDir: string;
  /** The forge token for cloning and fetching (a private repository needs it). */
  connect(): Promise<ForgeConnection>;
  log: Logger;
}

/** Where a forge project's clone lives: `<data dir>/workspaces/<name>`. */
export function projectCloneDir(dataDir: string, name: string): string {
  return path.join(dataDir, "workspaces", name.toLowerCase());
}

async function forgeToken(deps: ProjectWorkspaceDeps): Promise<Secret | undefined> {
  try {
    return (await deps.connect()).giteaToken?.value;
  } catch (err) {
    // No forge configured any more, or no token: a public repository still clones.
    deps.log.warn({ err: messageOf(err) }, "project workspace: no forge token; cloning without one");
    return undefined;
  }
}

/** Clone into a fresh directory beside the target, then rename: a half-made clone is never used. */
async function cloneOnce(project: Project, url: string, dir: string, token: Secret | undefined): Promise<void> {
  const partial = `${dir}.partial-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(path.dirname(dir), { recursive: true });
    await runGit(["clone", "--quiet", "--origin", "origin", "--", url, partial], { token });
    if (existsSync(dir)) return; // made meanwhile by another process
    renameSync(partial, dir);
  } catch (err) {
    throw new ErrProjectWorkspace(project.name, `cloning ${url} failed (${messageOf(err)})`);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * Bring the clone up to date before a run: fetch, then fast-forward the checked-out branch when
 * the work tree has nothing of its own (uncommitted or local work is never touched). A fetch that
 * fails is logged and the run works on what is there.
 */
async function refresh(project: Project, dir: string, token: Secret | undefined, log: Logger): Promise<void> {
  try {
    await runGit(["fetch", "--quiet", "--prune", "origin"], { cwd: dir, token });
    const dirty = await runGit(["status", "--porcelain"], { cwd: dir });
    const upstream = await runGit(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], {
      cwd: dir,
    }).catch(() => "");
    if (!dirty && upstream) await runGit(["merge", "--ff-only", "--quiet", upstream], { cwd: dir });
  } catch (err) {
    log.warn({ project: project.name, err: messageOf(err) }, "project workspace: could not update the clone");
  }
}

/** One clone or refresh per project at a time in this process (runs of different threads share the clone). */
const busy = new Map<string, Promise<unknown>>();

function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (busy.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
  busy.set(key, run);
  void run
    .finally(() => {
      if (busy.get(key) === run) busy.delete(key);
    })
    .catch(() => undefined);
  return run;
}

/**
 * The ONE decision of which directory a run in `project` works in (the per-thread worktree
 * layer replaces this function): a local project's own repository; for a forge project, a clone
 * under the data directory, made on its first run and fetched before each later one.
 */
export async function workspaceForProject(project: Project, deps: ProjectWorkspaceDeps): Promise<Workspace> {
  if (project.location === "local") {
    const dir = project.cloneUrl ?? localProjectDir(deps.dataDir, project.name);
    if (!existsSync(path.join(dir, ".git"))) {
      throw new ErrProjectWorkspace(
        project.name,
        `its repository ${dir} is missing: run \`/agent project new ${project.name}\` again.`,
      );
    }
    return { kind: "local", directory: dir };
  }
  const url = project.cloneUrl;
  if (!url) {
    throw new ErrProjectWorkspace(
      project.name,
      `it has no repository on the forge yet: run \`/agent project new ${project.name}\` again to finish it.`,
    );
  }
  const dir = projectCloneDir(deps.dataDir, project.name);
  await serialized(dir, async () => {
    const token = await forgeToken(deps);
    if (existsSync(path.join(dir, ".git"))) await refresh(project, dir, token, deps.log);
    else await cloneOnce(project, url, dir, token);
  });
  return { kind: "local", directory: dir };
}

/** `workspaceForProject` by project name (what the worker asks when a run names a project). */
export function projectWorkspaces(deps: ProjectWorkspaceDeps): (name: string) => Promise<Workspace> {
  return async (name) => {
    const project = await getProject(deps.db, name);
    if (!project) throw new ErrUnknownProject(name);
    return workspaceForProject(project, deps);
  };
}
