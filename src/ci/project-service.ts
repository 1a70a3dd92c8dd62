import type { Config } from "../config.js";
import { CodethreadError, messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import { recordAudit } from "../store/audit.js";
import { bindChannel, type ChannelRef, channelProject, channelsByProject } from "../store/channel-projects.js";
import type { CredentialStore } from "../store/credentials/store.js";
import type { Database } from "../store/database.js";
import { getProject, listProjects, type Project } from "../store/projects.js";
import type { Job, JobQueue } from "../store/queue/types.js";
import { type BuildOutcome, type BuildProgress, ciRepoOf, runBuild } from "./build/run-build.js";
import type { WatchOptions } from "./build-watch.js";
import type { PipelineStatus } from "./ci-provider.js";
import { connectForge, type ForgeConnection } from "./connection.js";
import { ErrNoProjectForChannel, ErrTemplateNeedsForge, ErrUnknownProject } from "./errors.js";
import { checkProjectName } from "./project-name.js";
import { BuildPayload, ProvisionPayload, projectJobKey, type RequestOrigin } from "./project-payloads.js";
import type { ProvisionRequest } from "./provision/context.js";
import { type ProvisionOutcome, provisionProject } from "./provision/provisioner.js";
import type { ProvisionProgress } from "./provision/report.js";
import { resolveTemplate, templateNames } from "./templates/catalog.js";

export interface ProjectServiceDeps {
  db: Database;
  queue: JobQueue;
  config: Pick<Config, "forge" | "database">;
  log: Logger;
  /** Absent when CODETHREAD_SECRET_KEY is not set: tokens then come from the environment only. */
  credentials?: CredentialStore;
  /** Default: `connectForge(config, credentials)` per operation. */
  connect?: () => Promise<ForgeConnection>;
  /** Poll timing of builds (tests shorten it). */
  watch?: Partial<Omit<WatchOptions, "signal">>;
}

export interface NewProjectInput extends ProvisionRequest {
  origin?: RequestOrigin;
  /** Idempotency key (the Slack command's trigger id): a retry enqueues nothing new. */
  dedupeKey?: string;
}

export interface BuildInput {
  /** Default: the project bound to `channel`. */
  project?: string;
  branch?: string;
  channel?: ChannelRef;
  actor: string;
  origin?: RequestOrigin;
  dedupeKey?: string;
}

export interface ProjectSummary {
  name: string;
  location: Project["location"];
  status: Project["status"];
  repoUrl: string | null;
  ciUrl: string | null;
  /** Latest pipeline of the default branch: "none" before any, "unknown" when the CI cannot tell. */
  ci: PipelineStatus | "none" | "unknown";
  channels: ChannelRef[];
}

/**
 * Projects for the Slack commands and the CLI: `project new` (a `provision` job, or at once with
 * `provision`), `project list`, `project use` (bind a channel), and `build` (a `build` job, or at
 * once with `runBuild`). Validation that needs no server (name, template) happens before anything
 * is queued, so a command can answer a mistake at once.
 */
export class ProjectService {
  readonly #deps: ProjectServiceDeps;

  constructor(deps: ProjectServiceDeps) {
    this.#deps = deps;
  }

  connect(): Promise<ForgeConnection> {
    return this.#deps.connect?.() ?? connectForge(this.#deps.config, this.#deps.credentials);
  }

  /** Template names a project may start from. */
  templates(): string[] {
    return templateNames(this.#deps.config.forge.templates);
  }

  /**
   * What needs no server: the name can be a repository, the template exists (and, for an
   * operator's template, a forge is configured). Throws the sentence to show.
   */
  checkNewProject(input: Pick<ProvisionRequest, "name" | "template">): void {
    checkProjectName(input.name);
    const source = resolveTemplate(input.template, this.#deps.config.forge.templates);
    if (source.kind === "forge" && !this.#deps.config.forge.gitea) throw new ErrTemplateNeedsForge(source.name);
  }

  /** Queue the provisioning of a new project (or the completion of a partly provisioned one). */
  async newProject(input: NewProjectInput): Promise<{ job: Job<ProvisionPayload>; created: boolean }> {
    this.checkNewProject(input);
    const payload = ProvisionPayload.parse({
      name: input.name,
      template: input.template,
      description: input.description,
      private: input.private,
      org: input.org,
      actor: input.actor,
      origin: input.origin,
    });
    const { job, created } = await this.#deps.queue.enqueue({
      kind: "provision",
      threadKey: projectJobKey(input.name),
      payload,
      dedupeKey: input.dedupeKey,
    });
    return { job, created };
  }

  /**
   * Provision now, reporting each step (the `provision` job handler and the CLI). A refusal
   * before any step (invalid name, no token) is recorded in the audit log too.
   */
  async provision(
    request: ProvisionRequest,
    progress: ProvisionProgress,
    signal?: AbortSignal,
  ): Promise<ProvisionOutcome> {
    const { db, config, credentials, log, watch } = this.#deps;
    try {
      return await provisionProject(
        { db, config, credentials, log, watch, connect: () => this.connect() },
        request,
        progress,
        signal,
      );
    } catch (err) {
      await this.#auditError("project.provision", request.actor, { project: request.name, phase: "refused" }, err);
      throw err;
    }
  }

  async #auditError(
    action: "project.provision" | "project.build",
    actor: string,
    detail: Record<string, unknown>,
    err: unknown,
  ): Promise<void> {
    await recordAudit(this.#deps.db, {
      actor,
      action,
      detail: { ...detail, error: err instanceof CodethreadError ? err.code : "unexpected" },
    }).catch((e: unknown) => this.#deps.log.warn({ err: messageOf(e) }, "audit record failed"));
  }

  async list(): Promise<ProjectSummary[]> {
    const projects = await listProjects(this.#deps.db);
    const channels = await channelsByProject(this.#deps.db);
    let connection: ForgeConnection | undefined;
    if (projects.some((p) => p.ciRepoId !== null)) {
      connection = await this.connect().catch((err: unknown) => {
        this.#deps.log.warn({ err: messageOf(err) }, "project list: no CI connection");
        return undefined;
      });
    }
    return Promise.all(
      projects.map(async (p): Promise<ProjectSummary> => {
        let ci: ProjectSummary["ci"] = "none";
        if (p.ciRepoId !== null) {
          ci = connection?.ci
            ? await connection.ci
                .latestPipeline(p.ciRepoId, p.defaultBranch)
                .then((l) => l?.status ?? ("none" as const))
                .catch(() => "unknown" as const)
            : "unknown";
        }
        return {
          name: p.name,
          location: p.location,
          status: p.status,
          repoUrl: p.repoUrl,
          ciUrl: p.ciUrl,
          ci,
          channels: channels.get(p.name) ?? [],
        };
      }),
    );
  }

  /** Bind `channel` to a project: later runs there work on it. */
  async use(channel: ChannelRef, name: string, actor: string): Promise<Project> {
    const project = await getProject(this.#deps.db, name);
    if (!project) throw new ErrUnknownProject(name);
    await bindChannel(this.#deps.db, channel, project.name, actor);
    await recordAudit(this.#deps.db, {
      actor,
      action: "project.use",
      detail: { project: project.name, teamId: channel.teamId, channelId: channel.channelId },
    });
    return project;
  }

  async projectForChannel(channel: ChannelRef): Promise<Project | undefined> {
    const name = await channelProject(this.#deps.db, channel);
    return name ? getProject(this.#deps.db, name) : undefined;
  }

  /** Names of every project (the `ProjectDirectory` of the Slack handlers). */
  async names(): Promise<string[]> {
    return (await listProjects(this.#deps.db)).map((p) => p.name);
  }

  /** The project a build would use (named, else bound to the channel); throws when it cannot be built. */
  async checkBuild(input: Pick<BuildInput, "project" | "channel">): Promise<Project> {
    const name = input.project ?? (input.channel ? await channelProject(this.#deps.db, input.channel) : undefined);
    if (!name) throw new ErrNoProjectForChannel();
    const project = await getProject(this.#deps.db, name);
    if (!project) throw new ErrUnknownProject(name);
    ciRepoOf(project);
    return project;
  }

  /** Queue a build; the project is named or bound to the channel, and must have CI. */
  async build(input: BuildInput): Promise<{ job: Job<BuildPayload>; project: Project }> {
    const project = await this.checkBuild(input);
    const payload = BuildPayload.parse({
      project: project.name,
      branch: input.branch,
      actor: input.actor,
      origin: input.origin,
    });
    const { job } = await this.#deps.queue.enqueue({
      kind: "build",
      threadKey: projectJobKey(project.name),
      payload,
      dedupeKey: input.dedupeKey,
    });
    return { job, project };
  }

  /** Build now and wait for the result (the `build` job handler and scripts). */
  runBuild(
    request: { project: string; branch?: string; actor: string },
    progress: BuildProgress,
    signal?: AbortSignal,
  ): Promise<BuildOutcome> {
    const { db, config, log, watch } = this.#deps;
    return runBuild({ db, config, log, watch, connect: () => this.connect() }, request, progress, signal).catch(
      async (err: unknown) => {
        // Not started or not followed (no CI, a server error): the audit log still has the attempt.
        const detail = { project: request.project, branch: request.branch, outcome: "error" };
        await this.#auditError("project.build", request.actor, detail, err);
        throw err;
      },
    );
  }
}
