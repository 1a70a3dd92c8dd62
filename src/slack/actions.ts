import { z } from "zod";

/** action_id of every button codethread posts. */
export const ActionIds = {
  cancel: "run_cancel",
  approve: "permission_approve",
  deny: "permission_deny",
  /** On a run's final message: commit, push and open the thread's pull request. */
  openPullRequest: "pr_open",
  /** On a failed CI verdict: continue the thread's session to fix the build. */
  fixBuild: "ci_fix",
} as const;

/** Permission buttons carry the job and the agent's request id. */
export const PermissionButtonValue = z
  .string()
  .max(2000)
  .transform((s, ctx) => {
    const i = s.indexOf("|");
    if (i <= 0 || i === s.length - 1) {
      ctx.addIssue({ code: "custom", message: "expected jobId|requestId" });
      return z.NEVER;
    }
    return { jobId: s.slice(0, i), requestId: s.slice(i + 1) };
  });

export function permissionButtonValue(jobId: string, requestId: string): string {
  return `${jobId}|${requestId}`;
}
