import path from "node:path";
import type { Workspace } from "../agents/request.js";
import { Redactor } from "../ci/redact.js";
import { excerpt } from "../errors.js";
import { runToEnd } from "../process/capture.js";
import type { InheritPolicy } from "../process/env.js";
import { Secret } from "../secret.js";
import { ErrPodCommandFailed, ErrProjectPodNotFound } from "./errors.js";
import { RemoveWorktreeScript, SyncScript, WorktreeScript } from "./pod-scripts.js";
import { validateProjectName } from "./project.js";
import { withProjectLock } from "./project-lock.js";
import { authorizationHeader, checkRemoteUrl, type Remote, RemoteTimeoutMs } from "./remote.js";
import { shortThreadId, threadBranch } from "./thread-id.js";

/**
 * Kubernetes mode: one pod per project (found by the operator's label selector plus
 * `codethread.dev/project=<name>`), holding the project cloned once at `<root>/<project>/repo.git`
 * and each thread's worktree at `<root>/<project>/worktrees/<short thread id>`, made with
 * `kubectl exec`. The agent then runs in that pod with that directory as its working directory —
 * the same on every turn, as the Claude CLI needs. See docs/WORKTREES.md.
 *
 * Every command is an argv array. User text never reaches them: the thread appears only as its
 * hex short id, the project name is validated, scripts are fixed (pod-scripts.ts) and take
 * values as positional arguments, and the forge token goes on stdin, never into argv (which the
 * API server logs).
 */

export interface PodProjects {
  namespace: string;
  /** Label selector of project pods (CODETHREAD_K8S_PROJECT_SELECTOR), e.g. `app=codethread-workspace`. */
  selector: string;
  /** Label carrying the project's name on its pod. Default `codethread.dev/project`. */
  projectLabel?: string;
  container?: string;
  context?: string;
  /** Directory in the pod holding the projects (CODETHREAD_K8S_WORKDIR). */
  root: string;
}

export const DefaultProjectLabel = "codethread.dev/project";

/** One kubectl invocation: its argv, and what goes on its stdin (then the values to redact). */
export interface KubectlCommand {
  argv: string[];
  stdin?: string;
  secrets?: string[];
}

/** The pods of one project: the operator's selector plus `codethread.dev/project=<name>`. */
export function projectSelector(target: PodProjects, project: string): string {
  if (validateProjectName(project).length > 63) {
    throw new ErrPodCommandFailed("find pod", project, null, "a Kubernetes label value holds at most 63 characters");
  }
  const label = `${target.projectLabel ?? DefaultProjectLabel}=${validateProjectName(project)}`;
  return target.selector ? `${target.selector},${label}` : label;
}

/** `kubectl [--context C] get pods -n NS -l SELECTOR --field-selector=status.phase=Running -o jsonpath=…`. */
export function podLookupCommand(target: PodProjects, project: string): string[] {
  return [
    ...(target.context ? ["--context", target.context] : []),
    "get",
    "pods",
    "-n",
    target.namespace,
    "-l",
    projectSelector(target, project),
    "--field-selector=status.phase=Running",
    "-o",
    "jsonpath={.items[*].metadata.name}",
  ];
}

/** `kubectl [--context C] exec [-i] -n NS POD [-c CONTAINER] -- …command`. */
export function podExecArgs(target: PodProjects, pod: string, command: readonly string[], stdin = false): string[] {
  return [
    ...(target.context ? ["--context", target.context] : []),
    "exec",
    ...(stdin ? ["-i"] : []),
    "-n",
    target.namespace,
    pod,
    ...(target.container ? ["-c", target.container] : []),
    "--",
    ...command,
  ];
}

/** Where a project's clone and a thread's worktree are inside the pod. */
export function podPaths(target: PodProjects, project: string, threadKey: string): { repo: string; worktree: string } {
  const base = path.posix.join(target.root, validateProjectName(project));
  return {
    repo: path.posix.join(base, "repo.git"),
    worktree: path.posix.join(base, "worktrees", shortThreadId(threadKey)),
  };
}

/**
 * Clone the project into the pod once, or refresh it: `kubectl exec -i … -- sh -c SyncScript`
 * with the Authorization header on stdin. Prints the default branch.
 */
export function podSyncCommand(target: PodProjects, pod: string, project: string, remote: Remote): KubectlCommand {
  const url = checkRemoteUrl(remote.url);
  const repo = path.posix.join(target.root, validateProjectName(project), "repo.git");
  const { header, secrets } = authorizationHeader(remote);
  return {
    argv: podExecArgs(target, pod, ["sh", "-c", SyncScript, "codethread-sync", url, repo], true),
    stdin: `${header ?? ""}\n`,
    secrets,
  };
}

export interface PodWorktreeInput {
  target: PodProjects;
  pod: string;
  project: string;
  threadKey: string;
  /** The project's default branch (what the sync printed). */
  baseBranch: string;
}

export interface PodWorktreeCommands {
  branch: string;
  paths: { repo: string; worktree: string };
  /** Make or reuse the thread's worktree; prints its path. */
  ensureWorktree: string[];
  removeWorktree: string[];
  /** The agent's workspace: the pod, with the worktree as its working directory. */
  workspace: Workspace;
}

/** The kubectl argv lists for one thread of one project in its pod. */
export function podWorktreeCommands(input: PodWorktreeInput): PodWorktreeCommands {
  const { target, pod } = input;
  const paths = podPaths(target, input.project, input.threadKey);
  const branch = threadBranch(input.threadKey);
  if (!/^[A-Za-z0-9._/-]+$/.test(input.baseBranch) || input.baseBranch.startsWith("-")) {
    throw new ErrPodCommandFailed("worktree", pod, null, `"${input.baseBranch}" is not a branch name`);
  }
  const script = (program: string, name: string, ...args: string[]) =>
    podExecArgs(target, pod, ["sh", "-c", program, name, ...args]);
  return {
    branch,
    paths,
    ensureWorktree: script(WorktreeScript, "codethread-worktree", paths.repo, paths.worktree, branch, input.baseBranch),
    removeWorktree: script(RemoveWorktreeScript, "codethread-remove", paths.repo, paths.worktree),
    workspace: {
      kind: "pod",
      namespace: target.namespace,
      pod,
      container: target.container,
      context: target.context,
      directory: paths.worktree,
    },
  };
}

export interface PodWorktreesOptions {
  kubectlBin: string;
  target: PodProjects;
  /** kubectl's own environment: set values and inherited names (KUBECONFIG is always allowed). */
  env?: Readonly<Record<string, string>>;
  inherit?: readonly InheritPolicy[];
  timeoutMs?: number;
}

const KubectlInherit: InheritPolicy = { names: ["KUBECONFIG"] };

/** Runs the commands above: find the project's pod, sync its clone, make the thread's worktree. */
export class PodWorktrees {
  constructor(private readonly options: PodWorktreesOptions) {}

  async findPod(project: string): Promise<string> {
    const target = this.options.target;
    const out = await this.#kubectl("find pod", project, { argv: podLookupCommand(target, project) });
    const pod = out.split(/\s+/).filter(Boolean)[0];
    if (!pod) throw new ErrProjectPodNotFound(target.namespace, projectSelector(target, project));
    return pod;
  }

  /** Clone the project into its pod (first time) or fetch it; gives the default branch. */
  async sync(pod: string, project: string, remote: Remote): Promise<string> {
    const cmd = podSyncCommand(this.options.target, pod, project, remote);
    return withProjectLock(this.#lockKey(project), async () =>
      (await this.#kubectl("sync project", pod, cmd, RemoteTimeoutMs)).trim(),
    );
  }

  /** The thread's worktree in the project's pod, and the workspace to run the agent in. */
  async ensure(input: Omit<PodWorktreeInput, "target">): Promise<PodWorktreeCommands> {
    const cmds = podWorktreeCommands({ ...input, target: this.options.target });
    await withProjectLock(this.#lockKey(input.project), () =>
      this.#kubectl("create worktree", input.pod, { argv: cmds.ensureWorktree }),
    );
    return cmds;
  }

  #lockKey(project: string): string {
    return `pod:${this.options.target.context ?? ""}/${this.options.target.namespace}/${project}`;
  }

  async #kubectl(step: string, where: string, cmd: KubectlCommand, timeoutMs?: number): Promise<string> {
    const out = await runToEnd(
      {
        bin: this.options.kubectlBin,
        args: cmd.argv,
        env: this.options.env,
        inherit: [KubectlInherit, ...(this.options.inherit ?? [])],
      },
      { timeoutMs: timeoutMs ?? this.options.timeoutMs ?? 120_000, input: cmd.stdin ?? "" },
    );
    const redactor = new Redactor((cmd.secrets ?? []).map((s) => new Secret(s)));
    if (out.exit.code !== 0) {
      const said = redactor.redact(out.stderr || out.exit.error?.message || "");
      throw new ErrPodCommandFailed(step, where, out.exit.code, excerpt(said, 500));
    }
    return redactor.redact(out.stdout);
  }
}
