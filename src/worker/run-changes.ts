import type { Workspace } from "../agents/request.js";

/**
 * What a finished run in a project changed on its thread's branch, for its final message: the
 * `git diff --stat` and what the person can do next.
 */
export type RunChanges =
  | { kind: "none"; branch: string }
  | {
      kind: "changed";
      branch: string;
      fileCount: number;
      insertions: number;
      deletions: number;
      /** The stat cut for a message; `fullStat` (attached as a file) when it had to be cut. */
      stat: string;
      fullStat?: string;
      next: /** A forge project: the **Open pull request** button. */
        | { kind: "open_pull_request" }
        /** The thread has a pull request already: the new commit is being pushed to it. */
        | { kind: "updating_pull_request"; number: number; url: string }
        /** No forge: the changes were committed on the local branch; how to fetch it. */
        | { kind: "local"; fetch: string };
    };

/** Where a run in a bound project works, and what to report after it. */
export interface ThreadProjectRun {
  workspace: Workspace;
  /** After the run: what it changed (undefined when that cannot be told, e.g. in a pod). */
  after(): Promise<RunChanges | undefined>;
}

/** The worker's hook into projects: the thread's worktree for a run (undefined: the run has no project). */
export type PrepareThreadProject = (input: {
  project: string | undefined;
  threadKey: string;
  userId: string;
  prompt: string;
}) => Promise<ThreadProjectRun | undefined>;
