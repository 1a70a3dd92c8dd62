/**
 * What provisioning tells whoever shows it (the Slack provisioning card, the CLI): one report per
 * step change. Renderers show the latest report of each step in `ProvisionSteps` order.
 */
export const ProvisionSteps = ["repository", "ci", "secrets", "first_build", "build_result"] as const;
export type StepId = (typeof ProvisionSteps)[number];

export type StepState =
  | "running"
  /** Done now, or found already done. */
  | "done"
  | "failed"
  /** A person must do it: `manual` says exactly what. */
  | "manual"
  /** Not applicable (no CI) or impossible after an earlier step. */
  | "skipped";

export interface StepReport {
  step: StepId;
  state: StepState;
  /** One sentence (no secrets). */
  text: string;
  link?: { url: string; label: string };
  /** The exact manual step, for `manual`. */
  manual?: string;
  /** Lines to show under the step (the failing build step's log tail). */
  detail?: string[];
}

/** How a provisioning run ended, for whoever shows it (the card's final state, the thread's summary). */
export interface ProvisionEnd {
  status: ProvisionStatus;
  /** Every report in order (the last of each step is its state). */
  steps: StepReport[];
}

export interface ProvisionProgress {
  step(report: StepReport): Promise<void>;
  /** Provisioning is over (every step reported): show the final state. */
  ended?(end: ProvisionEnd): Promise<void>;
  /** The job will not finish (its worker stopped); provisioning resumes when `project new` runs again. */
  interrupted?(reason: string): Promise<void>;
}

export const StepTitles: Record<StepId, string> = {
  repository: "Repository",
  ci: "CI activated",
  secrets: "Secrets",
  first_build: "First build",
  build_result: "Build result",
};

export const StepMarks: Record<StepState, string> = {
  running: "…",
  done: "✓",
  failed: "✗",
  manual: "⚠",
  skipped: "–",
};

/** One plain-text line per report: `✓ Repository: acme/billing created (https://…)`. */
export function formatStep(r: StepReport): string {
  const link = r.link ? ` (${r.link.url})` : "";
  const manual = r.manual ? `\n    → ${r.manual}` : "";
  const detail = r.detail?.length ? `\n${r.detail.map((l) => `    | ${l}`).join("\n")}` : "";
  return `${StepMarks[r.state]} ${StepTitles[r.step]}: ${r.text}${link}${manual}${detail}`;
}

export type ProvisionStatus = "ready" | "needs_attention" | "failed";

/** ready: every step done; failed: no usable repository; needs_attention: a later step failed or is manual. */
export function statusOf(steps: StepReport[]): ProvisionStatus {
  const last = new Map(steps.map((s) => [s.step, s]));
  if (last.get("repository")?.state !== "done") return "failed";
  return [...last.values()].some((s) => s.state === "failed" || s.state === "manual") ? "needs_attention" : "ready";
}

/** A progress that tells nobody (tests, scripts that only want the outcome). */
export const silentProgress: ProvisionProgress = { step: async () => undefined };
