import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BuildOutcome, BuildProgress } from "../../../src/ci/build/run-build.js";
import { ProjectService } from "../../../src/ci/project-service.js";
import type { ProvisionProgress, StepReport } from "../../../src/ci/provision/report.js";
import { type Config, loadConfig } from "../../../src/config.js";
import { createLogger, type Logger } from "../../../src/log.js";
import { openPGlite } from "../../../src/store/adapters/pglite.js";
import type { CredentialStore } from "../../../src/store/credentials/store.js";
import type { Database } from "../../../src/store/database.js";
import { migrate } from "../../../src/store/migrate.js";
import { ensureProject, updateProject } from "../../../src/store/projects.js";
import { SqlJobQueue } from "../../../src/store/queue/sql-job-queue.js";
import { FakeGitea } from "./fake-gitea.js";
import { FakeWoodpecker } from "./fake-woodpecker.js";

/** Every step report and build event, in order, as a Slack card would receive them. */
export class RecordingProgress implements ProvisionProgress, BuildProgress {
  readonly reports: StepReport[] = [];
  readonly builds: (
    | { what: "started"; number: number; url: string }
    | { what: "finished"; outcome: BuildOutcome }
    | { what: "failed"; text: string }
  )[] = [];

  async step(r: StepReport): Promise<void> {
    this.reports.push(r);
  }

  /** The last report of each step, as `step:state`. */
  final(): Record<string, string> {
    return Object.fromEntries(this.reports.map((r) => [r.step, r.state]));
  }

  last(step: StepReport["step"]): StepReport | undefined {
    return this.reports.filter((r) => r.step === step).at(-1);
  }

  async started(info: { number: number; url: string }): Promise<void> {
    this.builds.push({ what: "started", number: info.number, url: info.url });
  }

  async finished(outcome: BuildOutcome): Promise<void> {
    this.builds.push({ what: "finished", outcome });
  }

  async failed(text: string): Promise<void> {
    this.builds.push({ what: "failed", text });
  }
}

/**
 * A Gitea (or Forgejo) fake, a Woodpecker fake wired to it, a migrated PGlite database, a data
 * directory and a logger whose every line is kept (to grep for secrets).
 */
export class ForgeWorld {
  readonly logLines: string[] = [];
  readonly log: Logger;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), "forge-world-"));
  db!: Database;

  private constructor(
    readonly gitea: FakeGitea,
    readonly wp: FakeWoodpecker,
  ) {
    this.log = createLogger({
      level: "trace",
      destination: { write: (line: string) => void this.logLines.push(line) },
    });
  }

  #ownDb = false;

  /**
   * `db`: a migrated database to share (opening PGlite is slow); it is emptied of projects,
   * bindings, credentials, jobs and audit records. Without one, a fresh PGlite is opened.
   */
  static async start(options: { flavor?: "gitea" | "forgejo"; db?: Database } = {}): Promise<ForgeWorld> {
    const gitea = await new FakeGitea({ flavor: options.flavor }).start();
    gitea.addOrg("acme", [gitea.bot]);
    const wp = await new FakeWoodpecker(gitea).start();
    const world = new ForgeWorld(gitea, wp);
    if (options.db) {
      world.db = options.db;
      await world.db.exec("TRUNCATE channel_projects, projects, credentials, job_controls, jobs, audit_log");
    } else {
      world.db = await openPGlite();
      world.#ownDb = true;
      await migrate(world.db);
    }
    return world;
  }

  /** The configuration an operator would write: both servers with their tokens, plus `env`. */
  config(env: Record<string, string> = {}, options: { forge?: boolean } = {}): Config {
    const servers =
      options.forge === false
        ? {}
        : {
            GITEA_URL: this.gitea.url,
            GITEA_TOKEN: this.gitea.botToken,
            WOODPECKER_URL: this.wp.url,
            WOODPECKER_API_TOKEN: this.wp.token,
          };
    return loadConfig({ CODETHREAD_DATA_DIR: this.dataDir, ...servers, ...env }, this.dataDir);
  }

  service(config: Config = this.config(), credentials?: CredentialStore): ProjectService {
    return new ProjectService({
      db: this.db,
      queue: new SqlJobQueue(this.db),
      config,
      log: this.log,
      credentials,
      watch: { initialDelayMs: 5, maxDelayMs: 20 },
    });
  }

  /**
   * A ready forge project `name` owned by `acme`, as provisioning leaves it: a repository on the
   * Gitea fake with `files` on `main`, and the project record pointing at it.
   */
  async seedReadyProject(name: string, files: Record<string, string>): Promise<void> {
    const repo = await this.gitea.seedRepo({ owner: "acme", name, files });
    await ensureProject(this.db, {
      name,
      template: "none",
      description: "",
      location: "forge",
      owner: "acme",
      createdBy: "U1",
    });
    await updateProject(this.db, name, {
      cloneUrl: `${this.gitea.url}/acme/${name}.git`,
      repoUrl: `${this.gitea.url}/acme/${name}`,
      repoId: repo.id,
      status: "ready",
      defaultBranch: "main",
    });
  }

  /** Everything the fakes flagged against their specs. */
  violations(): string[] {
    return [...this.gitea.violations, ...this.wp.violations];
  }

  async stop(): Promise<void> {
    await this.wp.stop();
    await this.gitea.stop();
    if (this.#ownDb) await this.db.close();
  }
}
