import { existsSync, readdirSync } from "node:fs";
import type { Config } from "../../config.js";
import { CodethreadError, messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import { recordAudit } from "../../store/audit.js";
import type { CredentialStore } from "../../store/credentials/store.js";
import type { Database } from "../../store/database.js";
import { deleteProject, ensureProject, getProject, type Project, updateProject } from "../../store/projects.js";
import type { WatchOptions } from "../build-watch.js";
import { connectionSecrets, type ForgeConnection } from "../connection.js";
import { ErrRepoNameTaken, ErrTemplateNeedsForge } from "../errors.js";
import { checkProjectName } from "../project-name.js";
import { Redactor } from "../redact.js";
import { renderTemplate, resolveTemplate } from "../templates/catalog.js";
import { firstBuild } from "./build-steps.js";
import { ensureCiActive, ensureCiSecrets } from "./ci-step.js";
import type { ProvisionContext, ProvisionRequest } from "./context.js";
import { createLocalRepository, hasCommits, localProjectDir } from "./local-repository.js";
import {
  type ProvisionProgress,
  type ProvisionStatus,
  ProvisionSteps,
  type StepId,
  type StepReport,
  statusOf,
} from "./report.js";
import { ensureForgeRepository } from "./repository-step.js";

export interface ProvisionerDeps {
  db: Database;
  config: Pick<Config, "forge" | "database">;
  credentials?: CredentialStore;
  log: Logger;
  /** The forge and CI clients (built per run: a token rotated in the store applies at once). */
  connect(): Promise<ForgeConnection>;
  watch?: Partial<Omit<WatchOptions, "signal">>;
}

export interface ProvisionOutcome {
  status: ProvisionStatus;
  project?: Project;
  /** Every report in order (the last of each step is its state). */
  steps: StepReport[];
}

const ConnectHint =
  'no forge is configured, so this is a local repository. To get a forge repository and CI, connect Gitea and Woodpecker (README, "Connect Gitea and Woodpecker"): set GITEA_URL, GITEA_TOKEN, WOODPECKER_URL and WOODPECKER_API_TOKEN.';

const textOf = (err: unknown) => (err instanceof CodethreadError ? err.message : `unexpected error: ${messageOf(err)}`);

function skipRest(from: StepId, why: string): StepReport[] {
  return ProvisionSteps.slice(ProvisionSteps.indexOf(from)).map((step) => ({ step, state: "skipped", text: why }));
}

async function localSteps(ctx: ProvisionContext, existed: boolean): Promise<void> {
  const dir = localProjectDir(ctx.config.database.dataDir, ctx.project.name);
  if (await hasCommits(dir)) {
    if (!existed) throw new ErrRepoNameTaken("local", ctx.project.name, dir);
  } else {
    if (existsSync(dir) && readdirSync(dir).length) throw new ErrRepoNameTaken("local", ctx.project.name, dir);
    const source = resolveTemplate(ctx.project.template, ctx.config.forge.templates);
    if (source.kind !== "builtin") throw new ErrTemplateNeedsForge(source.name);
    const files = renderTemplate(source, {
      name: ctx.project.name,
      owner: "local",
      description: ctx.project.description,
    });
    await createLocalRepository(dir, files, `Start from codethread's ${source.name} template`);
  }
  await updateProject(ctx.db, ctx.project.name, { repoUrl: dir, cloneUrl: dir });
  await ctx.report({ step: "repository", state: "done", text: `local repository ${dir}` });
  await ctx.report({ step: "ci", state: "skipped", text: ConnectHint });
  for (const r of skipRest("secrets", "no CI")) await ctx.report(r);
}

async function forgeSteps(ctx: ProvisionContext): Promise<void> {
  const { forge, ci } = ctx.connection;
  if (!forge) {
    await ctx.report({
      step: "repository",
      state: "failed",
      text: `Project ${ctx.project.name} lives on a forge, and none is configured now: set GITEA_URL and GITEA_TOKEN again (README, "Connect Gitea and Woodpecker").`,
    });
    for (const r of skipRest("ci", "no forge")) await ctx.report(r);
    return;
  }
  await ctx.report({
    step: "repository",
    state: "running",
    text: `${ctx.project.owner ?? ""}/${ctx.project.name}`.replace(/^\//, ""),
  });
  let repo: Awaited<ReturnType<typeof ensureForgeRepository>>;
  try {
    repo = await ensureForgeRepository(ctx, forge);
  } catch (err) {
    await ctx.report({ step: "repository", state: "failed", text: textOf(err) });
    for (const r of skipRest("ci", "the repository step failed")) await ctx.report(r);
    return;
  }
  await ctx.report({
    step: "repository",
    state: "done",
    text: repo.fullName,
    link: { url: repo.htmlUrl, label: repo.fullName },
  });
  if (!ci) {
    await ctx.report({
      step: "ci",
      state: "manual",
      text: "Woodpecker is not configured",
      manual: `Set WOODPECKER_URL and WOODPECKER_API_TOKEN (README, "Connect Gitea and Woodpecker"), then run \`project new ${ctx.project.name}\` again.`,
    });
    for (const r of skipRest("secrets", "no CI")) await ctx.report(r);
    return;
  }
  await ctx.report({ step: "ci", state: "running", text: `activating ${repo.fullName}` });
  const active = await ensureCiActive(ctx, ci, repo);
  await ctx.report(active.report);
  if (!active.ok) {
    for (const r of skipRest("secrets", "waiting for CI activation")) await ctx.report(r);
    return;
  }
  let secrets: StepReport;
  try {
    secrets = await ensureCiSecrets(ctx, ci, active.repo);
  } catch (err) {
    secrets = { step: "secrets", state: "failed", text: textOf(err) };
  }
  await ctx.report(secrets);
  if (secrets.state !== "done") {
    for (const r of skipRest("first_build", "the secrets step failed")) await ctx.report(r);
    return;
  }
  try {
    await firstBuild(ctx, ci, active.repo);
  } catch (err) {
    const step: StepId = ctx.project.firstBuild === null ? "first_build" : "build_result";
    await ctx.report({ step, state: "failed", text: textOf(err) });
    if (step === "first_build") await ctx.report({ step: "build_result", state: "skipped", text: "no pipeline" });
  }
}

/**
 * `project new`: one step at a time, each checking first and treating "already done" as success,
 * so running it again after a partial failure completes what is missing and duplicates nothing.
 * Throws (before recording anything) for an invalid name or template; every later problem is a
 * step report. The project record, its step reports and the audit log are written as it goes.
 */
export async function provisionProject(
  deps: ProvisionerDeps,
  request: ProvisionRequest,
  progress: ProvisionProgress,
  signal?: AbortSignal,
): Promise<ProvisionOutcome> {
  const { db, log } = deps;
  checkProjectName(request.name);
  const source = resolveTemplate(request.template, deps.config.forge.templates);
  const connection = await deps.connect();
  if (!connection.forge && source.kind === "forge") throw new ErrTemplateNeedsForge(source.name);
  const existing = await getProject(db, request.name);
  const project = await ensureProject(db, {
    name: request.name,
    template: request.template,
    description: request.description,
    location: connection.forge ? "forge" : "local",
    owner: request.org ?? null,
    createdBy: request.actor,
  });
  const steps: StepReport[] = [];
  const ctx: ProvisionContext = {
    db,
    request,
    connection,
    config: deps.config,
    credentials: deps.credentials,
    redactor: new Redactor(connectionSecrets(connection)),
    log,
    signal,
    watch: deps.watch,
    project,
    report: async (r) => {
      steps.push(r);
      await progress
        .step(r)
        .catch((err: unknown) => log.warn({ err: messageOf(err), step: r.step }, "progress report failed"));
    },
  };
  await recordAudit(db, {
    actor: request.actor,
    action: "project.provision",
    detail: { project: project.name, template: project.template, phase: "start", location: project.location },
  });
  try {
    if (project.location === "local") {
      try {
        await localSteps(ctx, existing !== undefined);
      } catch (err) {
        await ctx.report({ step: "repository", state: "failed", text: textOf(err) });
        for (const r of skipRest("ci", "the repository step failed")) await ctx.report(r);
      }
    } else await forgeSteps(ctx);
  } finally {
    const status = statusOf(steps);
    const last = ProvisionSteps.map((id) => steps.filter((s) => s.step === id).at(-1)).filter(Boolean);
    const made = (await getProject(db, project.name))?.repoId ?? null;
    if (status === "failed" && !existing && made === null) await deleteProject(db, project.name);
    else await updateProject(db, project.name, { status, steps: last });
    await recordAudit(db, {
      actor: request.actor,
      action: "project.provision",
      detail: {
        project: project.name,
        phase: "finish",
        status,
        steps: Object.fromEntries(last.map((s) => [s!.step, s!.state])),
      },
    });
  }
  const outcome = await getProject(db, project.name);
  return { status: statusOf(steps), project: outcome, steps };
}
