import { execFileSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { formatBuildOutcome } from "../../src/ci/build/run-build.js";
import {
  ErrInvalidProjectName,
  ErrNoProjectForChannel,
  ErrProjectHasNoCi,
  ErrTemplateNeedsForge,
  ErrUnknownProject,
} from "../../src/ci/errors.js";
import { buildJobHandler, provisionJobHandler } from "../../src/ci/project-jobs.js";
import { formatStep } from "../../src/ci/provision/report.js";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import { listAudit } from "../../src/store/audit.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { createWorker, type Worker } from "../../src/worker/worker.js";
import { ForgeWorld, RecordingProgress } from "../support/forge/forge-world.js";
import { RecordingPublisher, waitForStatus } from "../support/queue-fixtures.js";

let db: Database;
beforeAll(async () => {
  db = await openPGlite();
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

const channel = { teamId: "T1", channelId: "C_BILLING" };
const newBilling = { name: "billing", template: "node", description: "Billing", private: false, actor: "U_ADMIN" };

describe("projects without a forge", () => {
  let world: ForgeWorld;
  beforeEach(async () => {
    world = await ForgeWorld.start({ db });
  });
  afterEach(async () => {
    await world.stop();
  });

  it("creates a local git repository from the template and says how to connect Gitea and Woodpecker", async () => {
    const service = world.service(world.config({}, { forge: false }));
    const progress = new RecordingProgress();
    const outcome = await service.provision(newBilling, progress);
    expect(outcome.status).toBe("ready");
    const dir = `${world.dataDir}/projects/billing`;
    expect(progress.last("repository")).toMatchObject({ state: "done", text: `local repository ${dir}` });
    expect(progress.last("ci")?.text).toMatch(
      /no forge is configured.*Connect Gitea and Woodpecker.*GITEA_URL, GITEA_TOKEN, WOODPECKER_URL and WOODPECKER_API_TOKEN/,
    );
    expect(execFileSync("git", ["log", "--format=%s"], { cwd: dir, encoding: "utf8" })).toBe(
      "Start from codethread's node template\n",
    );
    expect(
      execFileSync("npm", ["test", "--silent"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH } }),
    ).toMatch(/# pass 2/);

    // Again: nothing new, still ready.
    expect((await service.provision(newBilling, new RecordingProgress())).status).toBe("ready");
    expect(execFileSync("git", ["rev-list", "--count", "HEAD"], { cwd: dir, encoding: "utf8" }).trim()).toBe("1");
    await expect(service.build({ project: "billing", actor: "U1" })).rejects.toThrow(ErrProjectHasNoCi);
    await expect(service.newProject({ ...newBilling, name: "x", template: "api" })).rejects.toThrow(
      /no template "api"/,
    );
    const withTemplates = world.service(world.config({ CODETHREAD_PROJECT_TEMPLATES: "api=t/api" }, { forge: false }));
    await expect(withTemplates.newProject({ ...newBilling, name: "x", template: "api" })).rejects.toThrow(
      ErrTemplateNeedsForge,
    );
  });

  it("refuses names that cannot be repositories before queueing anything", async () => {
    const service = world.service(world.config({}, { forge: false }));
    for (const name of ["../etc", "my project", "x.git", ".", "a".repeat(101)]) {
      await expect(service.newProject({ ...newBilling, name })).rejects.toThrow(ErrInvalidProjectName);
    }
    expect((await db.query("SELECT * FROM jobs")).rows).toEqual([]);
  });
});

describe("project jobs, channels and builds against the fakes", () => {
  let world: ForgeWorld;
  let worker: Worker | undefined;
  beforeEach(async () => {
    world = await ForgeWorld.start({ db });
  });
  afterEach(async () => {
    await worker?.stop({ graceMs: 0 });
    worker = undefined;
    expect(world.violations()).toEqual([]);
    await world.stop();
  });

  function startWorker(service: ReturnType<ForgeWorld["service"]>, progress: RecordingProgress) {
    worker = createWorker({
      db,
      registry: new ProviderRegistry(),
      publisher: new RecordingPublisher(),
      pollMs: 50,
      handlers: {
        agent_run: { run: async () => ({ status: "failed", error: "no agents here" }) },
        provision: provisionJobHandler(service, () => progress),
        build: buildJobHandler(service, () => progress),
      },
    });
    return worker.start();
  }

  it("provisions as a queued job, binds a channel, and builds the channel's project", async () => {
    const service = world.service();
    const progress = new RecordingProgress();
    const queue = new SqlJobQueue(db);
    const { job, created } = await service.newProject({ ...newBilling, dedupeKey: "trigger-1" });
    expect(created).toBe(true);
    expect(job).toMatchObject({ kind: "provision", threadKey: "project:billing", status: "queued" });
    expect((await service.newProject({ ...newBilling, dedupeKey: "trigger-1" })).created).toBe(false);
    await startWorker(service, progress);
    expect((await waitForStatus((id) => queue.get(id), job.id, ["succeeded", "failed"])).status).toBe("succeeded");
    expect(progress.final()).toEqual({
      repository: "done",
      ci: "done",
      secrets: "done",
      first_build: "done",
      build_result: "done",
    });
    expect(progress.reports.map(formatStep)[1]).toBe(
      `✓ Repository: codethread-bot/billing (${world.gitea.url}/codethread-bot/billing)`,
    );

    await expect(service.build({ channel, actor: "U1" })).rejects.toThrow(ErrNoProjectForChannel);
    await expect(service.use(channel, "nope", "U1")).rejects.toThrow(ErrUnknownProject);
    expect((await service.use(channel, "BILLING", "U1")).name).toBe("billing");
    expect((await service.projectForChannel(channel))?.name).toBe("billing");
    expect(await service.projectForChannel({ teamId: "T1", channelId: "C_OTHER" })).toBeUndefined();
    expect(await service.names()).toEqual(["billing"]);

    const build = await service.build({ channel, actor: "U1" });
    expect(build.job).toMatchObject({ kind: "build", threadKey: "project:billing" });
    expect((await waitForStatus((id) => queue.get(id), build.job.id, ["succeeded", "failed"])).status).toBe(
      "succeeded",
    );
    const finished = progress.builds.find((b) => b.what === "finished");
    expect(progress.builds[0]).toMatchObject({ what: "started", number: 2 });
    if (finished?.what !== "finished") throw new Error("no build result");
    expect(formatBuildOutcome(finished.outcome)).toMatch(/^✓ billing: pipeline #2 on main passed \(http/);

    expect(await service.list()).toEqual([
      {
        name: "billing",
        location: "forge",
        status: "ready",
        repoUrl: `${world.gitea.url}/codethread-bot/billing`,
        ciUrl: expect.stringMatching(new RegExp(`^${world.wp.url}/repos/\\d+$`)),
        ci: "success",
        channels: [channel],
      },
    ]);
    const actions = (await listAudit(db)).map((a) => a.action);
    expect(actions.filter((a) => a === "project.build")).toHaveLength(1);
    expect(actions).toContain("project.use");
  });

  it("reports a failed build with its log tail, and one still running at the deadline", async () => {
    const service = world.service();
    expect((await service.provision(newBilling, new RecordingProgress())).status).toBe("ready");
    world.wp.outcome = {
      status: "failure",
      step: "test",
      log: ["not ok 1 - greets by name", `token=${world.wp.token}`],
    };
    const progress = new RecordingProgress();
    const failed = await service.runBuild({ project: "billing", actor: "U1" }, progress);
    if (failed.kind !== "finished") throw new Error("expected a finished build");
    expect(failed.pipeline.status).toBe("failure");
    expect(failed.failing).toEqual({
      step: "test",
      workflow: "ci",
      lines: ["+ test", "not ok 1 - greets by name", "token=[REDACTED]"],
    });
    expect(formatBuildOutcome(failed)).toMatch(
      /^✗ billing: pipeline #2 on main failure at step test .*\n {4}\| \+ test\n {4}\| not ok 1 - greets by name\n {4}\| token=\[REDACTED\]$/,
    );
    expect(progress.builds.map((b) => b.what)).toEqual(["started", "finished"]);

    world.wp.pollsUntilDone = Number.POSITIVE_INFINITY;
    const slow = world.service(world.config({ CODETHREAD_BUILD_TIMEOUT: "1s" }));
    const late = await slow.runBuild({ project: "billing", branch: "main", actor: "U1" }, new RecordingProgress());
    expect(late.kind).toBe("deadline");
    expect(formatBuildOutcome(late)).toMatch(/^… billing: pipeline #3 on main is still running/);
    expect((await service.list())[0]?.ci).toBe("running");
  });

  it("tells the build's thread why a build could not start", async () => {
    const service = world.service();
    const progress = new RecordingProgress();
    const queue = new SqlJobQueue(db);
    await startWorker(service, progress);
    world.wp.refuseActivation = { status: 403, text: "Repo owner is not allowed" };
    const { job } = await service.newProject(newBilling);
    await waitForStatus((id) => queue.get(id), job.id, ["succeeded", "failed"]);
    expect(progress.last("ci")?.state).toBe("manual");
    // Refused at once by the command…
    await expect(service.build({ project: "billing", actor: "U1" })).rejects.toThrow(/not active in Woodpecker yet/);
    // …and by the job, should the project change between queueing and running.
    const queued = await queue.enqueue({
      kind: "build",
      threadKey: "project:billing",
      payload: { project: "billing", actor: "U1" },
    });
    const done = await waitForStatus((id) => queue.get(id), queued.job.id, ["succeeded", "failed"]);
    expect(done).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/Project billing cannot be built: it is not active in Woodpecker yet/),
    });
    expect(progress.builds).toEqual([{ what: "failed", text: done.error }]);
  });
});
