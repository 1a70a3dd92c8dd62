import type { z } from "zod";
import { CodethreadError, messageOf } from "../errors.js";
import { type Metrics, NoMetrics, type ProjectJobOutcome } from "../ops/metrics.js";
import type { Job } from "../store/queue/types.js";
import type { JobContext, JobHandler, JobOutcome } from "../worker/handler.js";
import type { BuildProgress } from "./build/run-build.js";
import { BuildPayload, ProvisionPayload } from "./project-payloads.js";
import type { ProjectService } from "./project-service.js";
import type { ProvisionEnd, ProvisionProgress, StepReport } from "./provision/report.js";

/** A job whose payload does not parse (written by another version, or by hand). */
export class ErrInvalidProjectJob extends CodethreadError {
  constructor(jobId: string, kind: string, issues: string) {
    super("project_job_invalid", `${kind} job ${jobId} has an invalid payload: ${issues}`, { jobId, kind });
  }
}

function parse<T>(job: Job, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(job.payload);
  if (!parsed.success) {
    throw new ErrInvalidProjectJob(
      job.id,
      job.kind,
      parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}

const stopped = (ctx: JobContext): JobOutcome | undefined => {
  const stop = ctx.stopReason();
  if (!stop) return undefined;
  if (stop.kind === "cancel") return { status: "cancelled", by: stop.by };
  return {
    status: "interrupted",
    error: stop.kind === "shutdown" ? "the worker shut down" : "the worker lost its lease",
  };
};

/** The label of a job stopped by a cancel or a shutdown. */
const haltedLabel = (o: JobOutcome): ProjectJobOutcome => (o.status === "cancelled" ? "cancelled" : "interrupted");

/** Counts each ending on `codethread_project_jobs_total` and passes the outcome on. */
const counter =
  (metrics: Metrics, kind: "provision" | "build") =>
  (label: ProjectJobOutcome, outcome: JobOutcome): JobOutcome => {
    metrics.projectJobFinished(kind, label);
    return outcome;
  };

/** The `provision` handler: runs `ProjectService.provision`, reporting to `progressFor` (the Slack card). */
export function provisionJobHandler(
  service: ProjectService,
  progressFor: (job: Job, payload: ProvisionPayload) => ProvisionProgress,
  metrics: Metrics = NoMetrics,
): JobHandler {
  const ended = counter(metrics, "provision");
  return {
    async run(ctx) {
      const payload = parse(ctx.job, ProvisionPayload);
      const progress = progressFor(ctx.job, payload);
      const finish = (end: ProvisionEnd) => progress.ended?.(end).catch(() => undefined);
      try {
        const outcome = await service.provision(payload, progress, ctx.signal);
        const halted = stopped(ctx);
        if (halted) return ended(haltedLabel(halted), halted);
        await finish({ status: outcome.status, steps: outcome.steps });
        if (outcome.status === "ready") return ended("succeeded", { status: "succeeded" });
        if (outcome.status === "needs_attention") return ended("needs_action", { status: "succeeded" });
        return ended("failed", {
          status: "failed",
          error: outcome.steps.find((s) => s.state === "failed")?.text ?? "provisioning failed",
        });
      } catch (err) {
        // Refused before any step (invalid name, no token): the card still says why.
        const text = messageOf(err);
        const report: StepReport = { step: "repository", state: "failed", text };
        await progress.step(report).catch(() => undefined);
        await finish({ status: "failed", steps: [report] });
        return ended("failed", { status: "failed", error: text });
      }
    },
    async interrupted(job, reason) {
      const parsed = ProvisionPayload.safeParse(job.payload);
      if (parsed.success) await progressFor(job, parsed.data).interrupted?.(reason);
    },
  };
}

/** The `build` handler: runs `ProjectService.runBuild`, reporting to `progressFor` (the thread). */
export function buildJobHandler(
  service: ProjectService,
  progressFor: (job: Job, payload: BuildPayload) => BuildProgress,
  metrics: Metrics = NoMetrics,
): JobHandler {
  const ended = counter(metrics, "build");
  return {
    async run(ctx) {
      const payload = parse(ctx.job, BuildPayload);
      const progress = progressFor(ctx.job, payload);
      let outcome: Awaited<ReturnType<ProjectService["runBuild"]>>;
      try {
        outcome = await service.runBuild(payload, progress, ctx.signal);
      } catch (err) {
        const text = messageOf(err);
        await progress.failed(text).catch(() => undefined);
        return ended("failed", { status: "failed", error: text });
      }
      const halted = stopped(ctx);
      if (halted) return ended(haltedLabel(halted), halted);
      if (outcome.kind === "finished" && outcome.pipeline.status !== "success") {
        return ended("failed", {
          status: "failed",
          error: `pipeline #${outcome.pipeline.number} ${outcome.pipeline.status}`,
        });
      }
      const label =
        outcome.kind === "finished" ? "succeeded" : outcome.kind === "deadline" ? "timed_out" : "needs_action";
      return ended(label, { status: "succeeded" });
    },
    async interrupted(job, reason) {
      const parsed = BuildPayload.safeParse(job.payload);
      if (parsed.success) await progressFor(job, parsed.data).interrupted?.(reason);
    },
  };
}
