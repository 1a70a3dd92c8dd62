import { CodethreadError } from "../errors.js";

/** A git command ran and failed. `stderr` is an excerpt with every secret the command was given redacted. */
export class ErrGitFailed extends CodethreadError {
  constructor(
    readonly subcommand: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    context: Record<string, unknown> = {},
  ) {
    super(
      "git_failed",
      `git ${subcommand} failed${exitCode === null ? "" : ` (exit ${exitCode})`}${stderr ? `: ${stderr}` : ""}`,
      { subcommand, exitCode, stderr, ...context },
    );
  }
}

/** git could not be started at all (not installed, not on PATH, CODETHREAD_GIT_BIN wrong). */
export class ErrGitUnavailable extends CodethreadError {
  constructor(bin: string, reason: string) {
    super("git_unavailable", `Cannot run git (${bin}): ${reason}. Install git or set CODETHREAD_GIT_BIN to its path.`, {
      bin,
      reason,
    });
  }
}

/** A git command ran past its time limit and was killed. */
export class ErrGitTimedOut extends CodethreadError {
  constructor(subcommand: string, timeoutMs: number) {
    super(
      "git_timed_out",
      `git ${subcommand} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`,
      {
        subcommand,
        timeoutMs,
      },
    );
  }
}

/** A caller tried to put a secret in git's argv (visible to every user in `ps`): a bug, refused. */
export class ErrSecretInArgv extends CodethreadError {
  constructor(subcommand: string) {
    super("secret_in_argv", `Refused to run git ${subcommand}: a secret was in its arguments.`, { subcommand });
  }
}

/** The project's directory is not a git repository. */
export class ErrProjectNotFound extends CodethreadError {
  constructor(dir: string, reason: string) {
    super("project_not_found", `${dir} is not a git repository: ${reason}`, { dir, reason });
  }
}

/** The project has no commit on its default branch, so there is nothing to branch a thread from. */
export class ErrProjectEmpty extends CodethreadError {
  constructor(dir: string, branch: string) {
    super(
      "project_empty",
      `The project at ${dir} has no commit on ${branch} yet: push a first commit (or create it from a template) before running agents in it.`,
      { dir, branch },
    );
  }
}

/** A thread's worktree path is occupied by something that is not its worktree. */
export class ErrWorktreePathTaken extends CodethreadError {
  constructor(dir: string, reason: string) {
    super("worktree_path_taken", `Cannot create the thread's worktree at ${dir}: ${reason}`, { dir, reason });
  }
}

/** The forge refused the push: the token (named only by its role) lacks access, or the branch moved. */
export class ErrPushRejected extends CodethreadError {
  constructor(
    readonly reason: "unauthorized" | "forbidden" | "non_fast_forward" | "rejected",
    branch: string,
    detail: string,
  ) {
    const hint = {
      unauthorized: "the forge did not accept the bot's token; check GITEA_TOKEN (codethread doctor).",
      forbidden: "the bot's token may not push there; it needs write:repository and push access to the repository.",
      non_fast_forward:
        "the branch on the forge has commits this worktree does not have; fetch them or push a new branch.",
      rejected: "the forge refused it.",
    }[reason];
    super("push_rejected", `Pushing ${branch} failed: ${hint}${detail ? ` (${detail})` : ""}`, {
      reason,
      branch,
      detail,
    });
  }
}

/** No pod matched the project's label selector (Kubernetes mode). */
export class ErrProjectPodNotFound extends CodethreadError {
  constructor(namespace: string, selector: string) {
    super(
      "project_pod_not_found",
      `No running pod in namespace ${namespace} matches ${selector}: start the project's workspace pod (see docs/WORKTREES.md).`,
      { namespace, selector },
    );
  }
}

/** A remote URL with a user name or password in it: it would be logged and stored in .git/config. */
export class ErrCredentialsInUrl extends CodethreadError {
  constructor(where: string) {
    super(
      "credentials_in_url",
      `The remote URL for ${where} has credentials in it; give the URL without them (the token is passed to git separately).`,
      { where },
    );
  }
}

/** A `kubectl exec` for a project's pod failed (kubectl itself, or the script in the pod). */
export class ErrPodCommandFailed extends CodethreadError {
  constructor(step: string, pod: string, exitCode: number | null, stderr: string) {
    super(
      "pod_command_failed",
      `${step} in pod ${pod} failed${exitCode === null ? "" : ` (exit ${exitCode})`}${stderr ? `: ${stderr}` : ""}`,
      { step, pod, exitCode, stderr },
    );
  }
}
