import type { Workspace } from "../agents/request.js";
import type { Config } from "../config.js";
import { CodethreadError, messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import type { Secret } from "../secret.js";
import { threadLink } from "../slack/thread-link.js";
import type { Database } from "../store/database.js";
import { getProject, type Project } from "../store/projects.js";
import { threadPullRequest } from "../store/pull-requests.js";
import { parseThreadKey } from "../store/thread-key.js";
import type { RunChanges, ThreadProjectRun } from "../worker/run-changes.js";
import { describeChanges } from "../workspaces/changes.js";
import { commitWorktree, noreplyEmail } from "../workspaces/commit-push.js";
import { Git } from "../workspaces/git.js";
import { fetchInstructions } from "../workspaces/local-projects.js";
import { PodWorktrees } from "../workspaces/pod-worktrees.js";
import { forgeCopyDir, type ProjectRepository, projectRepository } from "../workspaces/project.js";
import { withProjectLock } from "../workspaces/project-lock.js";
import { type Remote, syncProject } from "../workspaces/remote.js";
import { type ThreadWorktree, ThreadWorktrees } from "../workspaces/thread-worktrees.js";
import type { ForgeConnection } from "./connection.js";
import { ErrUnknownProject } from "./errors.js";

/** A project's runs cannot get a worktree (no repository yet, the forge refused the fetch). */
export class ErrProjectWorkspace extends CodethreadError {
  constructor(name: string, reason: string) {
    super("project_workspace", `Project ${name} has no working copy for this run: ${reason}`, { name });
  }
}

export interface ThreadProjectsDeps {
  db: Database;
  config: Pick<Config, "database" | "workspaces" | "claude">;
  /** The forge and its token (fetching and pushing a private repository needs it). */
  connect(): Promise<ForgeConnection>;
  log: Logger;
  /** The Slack display name of a user (commit authors). */
  userName?: (userId: string) => Promise<string | undefined>;
  /** A pull request is open for the thread and the run changed files: push the new commit to it. */
  updatePullRequest?: (input: { threadKey: string; userId: string; project: string }) => Promise<void>;
  /** Kubernetes mode's kubectl runner (default: from CODETHREAD_K8S_* when a project selector is set). */
  pods?: PodWorktrees;
}

/** Where a thread's work is on this machine: the project's repository and the thread's worktree. */
export interface LocalThreadPlace {
  project: Project;
  repo: ProjectRepository;
  worktree: ThreadWorktree;
  /** Pushing and fetching the forge repository (absent: a local project). */
  remote?: Remote;
}

/** `Slack-Thread: <link>` for a commit made for the thread. */
export function threadTrailers(key: string): Record<string, string> {
  const ref = parseThreadKey(key);
  return { "Slack-Thread": ref ? threadLink(ref) : key };
}

/** A forge project has a repository on the forge; a local one is a repository on this machine. */
export function hasForge(project: Project): boolean {
  return project.location === "forge";
}

/**
 * Each thread of a bound project works in its own git worktree and branch
 * (`codethread/<short thread id>`): made on the thread's first run from the project's default
 * branch, the same directory on every later run (the Claude CLI keys sessions by directory). A
 * forge project is worked on through a bare copy under the data directory, fetched before each
 * run with the bot's token (in git's environment only); in Kubernetes mode the worktree is made
 * in the project's pod and the agent runs there.
 */
export class ThreadProjects {
  readonly git: Git;
  readonly worktrees: ThreadWorktrees;
  readonly pods?: PodWorktrees;
  readonly #deps: ThreadProjectsDeps;
  /** The forge login of the bot's token, asked once per token (not on every run's fetch). */
  #login: { token: Secret; login: Promise<string> } | undefined;

  constructor(deps: ThreadProjectsDeps) {
    this.#deps = deps;
    const ws = deps.config.workspaces;
    this.git = new Git({ bin: ws.gitBin, committer: ws.committer, log: deps.log.child({ component: "git" }) });
    this.worktrees = new ThreadWorktrees({ root: ws.worktreeDir, git: this.git, log: deps.log });
    this.pods =
      deps.pods ??
      (ws.pods ? new PodWorktrees({ kubectlBin: deps.config.claude.kubectlBin, target: ws.pods }) : undefined);
  }

  async project(name: string): Promise<Project> {
    const project = await getProject(this.#deps.db, name);
    if (!project) throw new ErrUnknownProject(name);
    return project;
  }

  #loginOf(token: Secret, forge: NonNullable<ForgeConnection["forge"]>): Promise<string> {
    if (this.#login?.token.reveal() !== token.reveal()) {
      const login = forge.whoami().then((me) => me.login);
      // A failed lookup is not kept: the next run asks again.
      login.catch(() => {
        if (this.#login?.login === login) this.#login = undefined;
      });
      this.#login = { token, login };
    }
    return this.#login.login;
  }

  /** How git reaches the forge repository: the bot's login and token as an Authorization header. */
  async remoteOf(project: Project): Promise<Remote> {
    const url = project.cloneUrl;
    if (!url) {
      throw new ErrProjectWorkspace(
        project.name,
        `it has no repository on the forge yet: run \`/agent project new ${project.name}\` again to finish it.`,
      );
    }
    const connection = await this.#deps.connect().catch((err: unknown) => {
      this.#deps.log.warn({ err: messageOf(err) }, "thread worktree: no forge connection; fetching without a token");
      return {} as ForgeConnection;
    });
    const token = connection.giteaToken?.value;
    if (!token || !connection.forge) return { url, auth: { kind: "none" } };
    return { url, auth: { kind: "basic", username: await this.#loginOf(token, connection.forge), password: token } };
  }

  /** The thread's worktree on this machine, made on first use; a forge project's copy fetched first. */
  async localPlace(project: Project, threadKey: string): Promise<LocalThreadPlace> {
    const dataDir = this.#deps.config.database.dataDir;
    const repo = projectRepository(project, dataDir);
    let remote: Remote | undefined;
    try {
      if (hasForge(project)) {
        remote = await this.remoteOf(project);
        const copy = forgeCopyDir(dataDir, project.name);
        const r = remote;
        await withProjectLock(copy, () => syncProject(this.git, copy, r));
      }
      const worktree = await this.worktrees.ensure(repo, threadKey);
      return { project, repo, worktree, remote };
    } catch (err) {
      if (err instanceof ErrProjectWorkspace) throw err;
      throw new ErrProjectWorkspace(project.name, messageOf(err));
    }
  }

  /** The worker's hook: the thread's worktree for a run in `name`, and what to say after it. */
  async prepare(input: {
    project: string | undefined;
    threadKey: string;
    userId: string;
    prompt: string;
  }): Promise<ThreadProjectRun | undefined> {
    if (!input.project) return undefined;
    const project = await this.project(input.project);
    if (this.pods && hasForge(project)) return this.#inPod(project, input.threadKey);
    const place = await this.localPlace(project, input.threadKey);
    return {
      workspace: { kind: "local", directory: place.worktree.path },
      after: () => this.#after(place, input),
    };
  }

  async #inPod(project: Project, threadKey: string): Promise<ThreadProjectRun> {
    const pods = this.pods!;
    const remote = await this.remoteOf(project);
    try {
      const pod = await pods.findPod(project.name);
      const synced = await pods.sync(pod, project.name, remote);
      const cmds = await pods.ensure({
        pod,
        project: project.name,
        threadKey,
        baseBranch: synced || project.defaultBranch,
      });
      const workspace: Workspace = cmds.workspace;
      // Diffs, commits and pushes inside the pod are not built yet (docs/WORKTREES.md).
      return { workspace, after: async () => undefined };
    } catch (err) {
      throw new ErrProjectWorkspace(project.name, messageOf(err));
    }
  }

  /** The run's uncommitted changes; a local project's are committed on its branch (nobody pushes them). */
  async #after(
    place: LocalThreadPlace,
    input: { threadKey: string; userId: string; prompt: string },
  ): Promise<RunChanges> {
    const { worktree, project } = place;
    const changes = await describeChanges(this.git, worktree.path);
    if (changes.kind === "none") return { kind: "none", branch: worktree.branch };
    const base = {
      kind: "changed" as const,
      branch: worktree.branch,
      fileCount: changes.fileCount,
      insertions: changes.insertions,
      deletions: changes.deletions,
      stat: changes.stat,
      ...(changes.fullStat ? { fullStat: changes.fullStat } : {}),
    };
    if (!hasForge(project)) {
      await commitWorktree(this.git, worktree.path, {
        author: await this.author(input.userId),
        message: input.prompt,
        trailers: threadTrailers(input.threadKey),
      });
      return { ...base, next: { kind: "local", fetch: fetchInstructions(place.repo.repoDir, worktree.branch) } };
    }
    const pr = await threadPullRequest(this.#deps.db, input.threadKey);
    if (pr && this.#deps.updatePullRequest) {
      await this.#deps.updatePullRequest({ threadKey: input.threadKey, userId: input.userId, project: project.name });
      return { ...base, next: { kind: "updating_pull_request", number: pr.number, url: pr.url } };
    }
    return { ...base, next: { kind: "open_pull_request" } };
  }

  /** A commit's author: the Slack user's display name and a noreply address. */
  async author(userId: string, name?: string): Promise<{ name: string; email: string }> {
    const display = name ?? (await this.#deps.userName?.(userId).catch(() => undefined)) ?? userId;
    return { name: display, email: noreplyEmail(userId, this.#deps.config.workspaces.authorDomain) };
  }
}
