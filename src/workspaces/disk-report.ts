import { formatBytes } from "../bytes.js";
import type { KeepReason, ProjectDiskReport, WorktreeAssessment } from "./prune.js";

/** Why a worktree stays, in words for `codethread doctor`. */
const KeepWords: Record<KeepReason, string> = {
  not_ours: "not made by codethread",
  locked: "locked",
  pinned: "a resumable session uses it",
  dirty: "uncommitted changes",
  unpushed: "commits not pushed",
  active: "thread still active",
};

function describe(w: WorktreeAssessment, now: Date): string {
  const name = w.branch?.replace(/^refs\/heads\//, "") ?? w.path;
  const quiet = w.quietSince ? `, quiet ${Math.floor((now.getTime() - w.quietSince.getTime()) / 86_400_000)} d` : "";
  const fate = w.decision.prune ? "prunable" : `kept: ${KeepWords[w.decision.reason]}`;
  return `${name} (${formatBytes(w.bytes)}${quiet}, ${fate})`;
}

/**
 * The lines `codethread doctor` prints for a project's disk use: one summary line, and when the
 * project is over its bound, the worktrees that would have to go (oldest-quiet first) and why each stays.
 */
export function diskReportLines(report: ProjectDiskReport, now = new Date()): string[] {
  const bound = report.maxBytes === undefined ? "" : ` of ${formatBytes(report.maxBytes)}`;
  const summary =
    `${report.project}: ${formatBytes(report.totalBytes)}${bound} ` +
    `(repository ${formatBytes(report.repoBytes)}, ${report.worktrees.length} thread worktrees)`;
  if (!report.overLimit) return [summary];
  return [
    `${summary} — over the bound (CODETHREAD_WORKTREE_MAX_BYTES)`,
    ...report.excess.map((w) => `  ${describe(w, now)}`),
  ];
}
