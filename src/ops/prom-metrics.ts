import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Metrics, ProjectJobOutcome, RunOutcomeLabel, SlackAnswerBy, SlackCallOutcome } from "./metrics.js";

/** Queue depth by status, read when Prometheus scrapes (one cheap query, not on every change). */
export type QueueDepthReader = () => Promise<{ kind: string; status: string; count: number }[]>;

/**
 * The Prometheus implementation of `Metrics`, on its own registry (one per app: two apps in one
 * test process never share series). Names follow Prometheus conventions: `codethread_` prefix,
 * `_total` for counters, `_seconds` for durations.
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  readonly #runs: Counter<"provider" | "outcome">;
  readonly #runDuration: Histogram<"provider" | "outcome">;
  readonly #wait: Histogram<"kind">;
  readonly #slack: Counter<"method" | "outcome">;
  readonly #available: Gauge<"provider">;
  readonly #projectJobs: Counter<"kind" | "outcome">;
  readonly #answers: Histogram<"by">;

  constructor(options: { queueDepth?: QueueDepthReader; processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#runs = new Counter({
      name: "codethread_runs_total",
      help: "Agent runs that ended, by provider and outcome.",
      labelNames: ["provider", "outcome"],
      registers,
    });
    this.#runDuration = new Histogram({
      name: "codethread_run_duration_seconds",
      help: "Agent run duration from start to outcome.",
      labelNames: ["provider", "outcome"],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    });
    this.#wait = new Histogram({
      name: "codethread_queue_wait_seconds",
      help: "Time a job waited in the queue before a worker claimed it.",
      labelNames: ["kind"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    });
    this.#slack = new Counter({
      name: "codethread_slack_calls_total",
      help: "Slack Web API calls by method and outcome (ratelimited: HTTP 429 or ok:false ratelimited).",
      labelNames: ["method", "outcome"],
      registers,
    });
    this.#available = new Gauge({
      name: "codethread_agent_available",
      help: "1 when the provider's latest availability check succeeded.",
      labelNames: ["provider"],
      registers,
    });
    this.#projectJobs = new Counter({
      name: "codethread_project_jobs_total",
      help: "Provisioning and build jobs that ended, by kind and outcome.",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.#answers = new Histogram({
      name: "codethread_slack_answer_seconds",
      help: "Time from a Slack request's arrival to its HTTP answer, by who answered (bot, front, refused).",
      labelNames: ["by"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    const read = options.queueDepth;
    if (read) {
      new Gauge({
        name: "codethread_queue_jobs",
        help: "Jobs queued or running, by kind and status.",
        labelNames: ["kind", "status"],
        registers,
        async collect() {
          this.reset();
          for (const row of await read()) this.set({ kind: row.kind, status: row.status }, row.count);
        },
      });
    }
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "codethread_" });
  }

  runFinished(provider: string, outcome: RunOutcomeLabel, durationMs: number): void {
    this.#runs.inc({ provider, outcome });
    this.#runDuration.observe({ provider, outcome }, durationMs / 1000);
  }

  jobClaimed(kind: string, waitMs: number): void {
    this.#wait.observe({ kind }, Math.max(0, waitMs) / 1000);
  }

  slackCall(method: string, outcome: SlackCallOutcome): void {
    this.#slack.inc({ method, outcome });
  }

  agentAvailability(provider: string, available: boolean): void {
    this.#available.set({ provider }, available ? 1 : 0);
  }

  projectJobFinished(kind: "provision" | "build", outcome: ProjectJobOutcome): void {
    this.#projectJobs.inc({ kind, outcome });
  }

  slackAnswered(by: SlackAnswerBy, ms: number): void {
    this.#answers.observe({ by }, Math.max(0, ms) / 1000);
  }

  /** The exposition text and its content type, for GET /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
