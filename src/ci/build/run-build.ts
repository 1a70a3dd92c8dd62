import type { Config } from "../../config.js";
import { messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import { recordAudit } from "../../store/audit.js";
import type { Database } from "../../store/database.js";
import { getProject, type Project } from "../../store/projects.js";
import { failingStepTail, type WatchOptions, watchPipeline } from "../build-watch.js";
import type { CiPipeline } from "../ci-provider.js";
import { connectionSecrets, type ForgeConnection } from "../connection.js";
import { ErrProjectHasNoCi, ErrUnknownProject } from "../errors.js";
import { Redactor } from "../redact.js";

export interface BuildRequest {
  project: string;
  /** Default: the project's default branch. */
  branch?: string;
  actor: string;
}

export interface FailingStep {
  step: string;
  workflow: string;
  /** The last lines of its log, secrets removed. */
  lines: string[];
}

export type BuildOutcome =
  | { kind: "finished"; project: string; branch: string; pipeline: CiPipeline; failing?: FailingStep }
  | { kind: "deadline"; project: string; branch: string; pipeline: CiPipeline }
  /** Woodpecker ran nothing: no workflow admits a manual event on this branch. */
  | { kind: "filtered"; project: string; branch: string };

export interface BuildProgress {
  started(info: { project: string; branch: string; number: number; url: string }): Promise<void>;
  finished(outcome: BuildOutcome): Promise<void>;
  /** The build could not start or be followed (no CI, a server error): one sentence of what to do. */
  failed(text: string): Promise<void>;
  interrupted?(reason: string): Promise<void>;
}

export interface BuildDeps {
  db: Database;
  config: Pick<Config, "forge">;
  log: Logger;
  connect(): Promise<ForgeConnection>;
  watch?: Partial<Omit<WatchOptions, "signal">>;
}

/** Why `project` cannot be built, or its CI repository id. */
export function ciRepoOf(project: Project): number {
  if (project.location === "local") {
    throw new ErrProjectHasNoCi(
      project.name,
      'it is a local repository. Connect Gitea and Woodpecker (README, "Connect Gitea and Woodpecker") to get CI.',
    );
  }
  if (project.ciRepoId === null) {
    throw new ErrProjectHasNoCi(
      project.name,
      `it is not active in Woodpecker yet: run \`/agent project new ${project.name}\` again to finish its CI step.`,
    );
  }
  return project.ciRepoId;
}

/** A manual pipeline, then its result (status polled with back-off up to CODETHREAD_BUILD_TIMEOUT). */
export async function runBuild(
  deps: BuildDeps,
  request: BuildRequest,
  progress: BuildProgress,
  signal?: AbortSignal,
): Promise<BuildOutcome> {
  const project = await getProject(deps.db, request.project);
  if (!project) throw new ErrUnknownProject(request.project);
  const repoId = ciRepoOf(project);
  const connection = await deps.connect();
  const ci = connection.ci;
  if (!ci) throw new ErrProjectHasNoCi(project.name, "Woodpecker is not configured (WOODPECKER_URL).");
  const branch = request.branch ?? project.defaultBranch;
  const report = async (what: string, fn: () => Promise<void>) =>
    fn().catch((err: unknown) =>
      deps.log.warn({ err: messageOf(err), project: project.name }, `build progress ${what} failed`),
    );

  const started = await ci.triggerBuild(repoId, branch);
  let outcome: BuildOutcome;
  if (started.kind === "filtered") {
    outcome = { kind: "filtered", project: project.name, branch };
  } else {
    const { number, url } = started.pipeline;
    await report("started", () => progress.started({ project: project.name, branch, number, url }));
    const watched = await watchPipeline(ci, repoId, number, {
      ...deps.watch,
      deadlineMs: deps.watch?.deadlineMs ?? deps.config.forge.buildTimeoutMs,
      signal,
    });
    if (watched.kind !== "finished") {
      outcome = { kind: "deadline", project: project.name, branch, pipeline: watched.pipeline };
    } else {
      const failing =
        watched.pipeline.status === "success"
          ? undefined
          : await failingStepTail(ci, repoId, watched.pipeline, new Redactor(connectionSecrets(connection)));
      outcome = { kind: "finished", project: project.name, branch, pipeline: watched.pipeline, failing };
    }
  }
  await recordAudit(deps.db, {
    actor: request.actor,
    action: "project.build",
    detail: {
      project: project.name,
      branch,
      outcome: outcome.kind,
      ...(outcome.kind === "filtered" ? {} : { pipeline: outcome.pipeline.number, status: outcome.pipeline.status }),
    },
  });
  await report("finished", () => progress.finished(outcome));
  return outcome;
}

/** The outcome in one paragraph (CLI, and the fallback text of Slack messages). */
export function formatBuildOutcome(o: BuildOutcome): string {
  if (o.kind === "filtered") {
    return `– ${o.project}: Woodpecker ran no workflow for a manual pipeline on ${o.branch} (no workflow in .woodpecker/ runs on \`event: manual\`).`;
  }
  const p = o.pipeline;
  if (o.kind === "deadline")
    return `… ${o.project}: pipeline #${p.number} on ${o.branch} is still ${p.status} (${p.url}).`;
  if (p.status === "success") return `✓ ${o.project}: pipeline #${p.number} on ${o.branch} passed (${p.url}).`;
  const where = o.failing ? ` at step ${o.failing.step}` : "";
  const tail = o.failing?.lines.length ? `\n${o.failing.lines.map((l) => `    | ${l}`).join("\n")}` : "";
  return `✗ ${o.project}: pipeline #${p.number} on ${o.branch} ${p.status}${where} (${p.url}).${tail}`;
}
