/**
 * What codethread measures, as a port: the worker, the Slack client, the queue and the provisioning
 * code report to a `Metrics` they are given (never a global registry), so tests stay isolated and a
 * program that embeds codethread chooses where the numbers go. `NoMetrics` drops everything;
 * `PromMetrics` (prom-metrics.ts) exposes them in Prometheus' text format on /metrics.
 */
export type RunOutcomeLabel = "succeeded" | "failed" | "cancelled" | "timed_out" | "budget_exceeded" | "interrupted";
export type SlackCallOutcome = "ok" | "error" | "ratelimited";
/**
 * How a provisioning or build job ended. Provisioning: `succeeded` every step done, `needs_action` a
 * step failed or needs a person after the repository exists, `failed` no usable repository. Builds:
 * `succeeded` a green pipeline, `failed` a red one or none started, `timed_out` no result within
 * CODETHREAD_BUILD_TIMEOUT, `needs_action` Woodpecker ran nothing (no workflow takes a manual event).
 */
export type ProjectJobOutcome = "succeeded" | "failed" | "needs_action" | "timed_out" | "cancelled" | "interrupted";

/** Who gave Slack its HTTP answer: the bot's own ack, the Slack front for a busy bot, or a refusal (4xx/5xx). */
export type SlackAnswerBy = "bot" | "front" | "refused";

export interface Metrics {
  /** An agent run ended (duration from start to outcome). */
  runFinished(provider: string, outcome: RunOutcomeLabel, durationMs: number): void;
  /** A job was claimed after waiting `waitMs` in the queue. */
  jobClaimed(kind: string, waitMs: number): void;
  /** One Slack Web API call and how it ended (`ratelimited` covers HTTP 429 and `ok:false ratelimited`). */
  slackCall(method: string, outcome: SlackCallOutcome): void;
  /** The latest availability check of a provider. */
  agentAvailability(provider: string, available: boolean): void;
  /** A provisioning or build job ended. */
  projectJobFinished(kind: "provision" | "build", outcome: ProjectJobOutcome): void;
  /** Slack's request had its HTTP answer `ms` after its body arrived (src/slack/front/). */
  slackAnswered(by: SlackAnswerBy, ms: number): void;
}

export const NoMetrics: Metrics = {
  runFinished: () => {},
  jobClaimed: () => {},
  slackCall: () => {},
  agentAvailability: () => {},
  projectJobFinished: () => {},
  slackAnswered: () => {},
};
