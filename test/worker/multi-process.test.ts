import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/store/adapters/postgres.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { countByStatus, runPayload, runThreadKey, waitForStatus, waitUntil } from "../support/queue-fixtures.js";
import { killAll, spawnWorker, type WorkerProcess, WorkerProcessTables } from "../support/queue-processes.js";
import type { Script } from "../support/test-agent.js";

/** Several worker processes against one PostgreSQL database (skipped without TEST_DATABASE_URL). */
describe.skipIf(!process.env.TEST_DATABASE_URL)("worker processes on one PostgreSQL", () => {
  let url: string;
  let drop: () => Promise<void>;
  let db: Database;
  let queue: SqlJobQueue;
  let workers: WorkerProcess[];

  beforeEach(async () => {
    ({ url, drop } = await freshPostgresDatabase());
    db = await openPostgres(url, { maxConnections: 4 });
    await migrate(db);
    await db.exec(WorkerProcessTables);
    queue = new SqlJobQueue(db);
    workers = [];
  });
  afterEach(async () => {
    await killAll(workers);
    await db.close();
    await drop();
  });

  const run = (thread: number, script: Script | string = {}) =>
    queue.enqueue({ kind: "agent_run", threadKey: runThreadKey(thread), payload: runPayload(thread, script) });
  const agentRuns = async () =>
    (
      await db.query<{
        job_id: string;
        worker_id: string;
        started_at: Date;
        ended_at: Date | null;
        outcome: string | null;
      }>("SELECT job_id, worker_id, started_at, ended_at, outcome FROM test_agent_runs")
    ).rows;
  const publishedOf = async (jobId: string) =>
    (
      await db.query<{ what: string; worker_id: string; detail: Record<string, unknown> }>(
        "SELECT what, worker_id, detail FROM test_published WHERE job_id = $1 ORDER BY id",
        [jobId],
      )
    ).rows;

  it("runs 1,000 jobs over 50 threads exactly once each, never two at a time in a thread", async () => {
    workers = await Promise.all(
      ["w1", "w2", "w3"].map((id) => spawnWorker(url, id, { CONCURRENCY: "4", LEASE_MS: "10000" })),
    );
    const ids: string[] = [];
    for (let i = 0; i < 1_000; i++) ids.push((await run(i % 50, i % 10 === 0 ? { sleepMs: 3 } : "no-op")).job.id);
    await waitUntil(async () => (await countByStatus(db)).succeeded === 1_000, "1,000 succeeded jobs", 300_000);

    expect(await countByStatus(db)).toEqual({ succeeded: 1_000 });
    const { rows: attempts } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE attempts <> 1");
    expect(attempts[0]!.n).toBe(0);
    const runs = await agentRuns();
    expect(runs).toHaveLength(1_000);
    expect(new Set(runs.map((r) => r.job_id))).toEqual(new Set(ids));
    expect(runs.every((r) => r.ended_at !== null && r.outcome === "succeeded")).toBe(true);

    const threadOf = new Map<string, string>();
    const { rows: jobs } = await db.query<{ id: string; thread_key: string }>("SELECT id, thread_key FROM jobs");
    for (const j of jobs) threadOf.set(j.id, j.thread_key);
    const byThread = new Map<string, typeof runs>();
    for (const r of runs) {
      const key = threadOf.get(r.job_id)!;
      byThread.set(key, [...(byThread.get(key) ?? []), r]);
    }
    expect(byThread.size).toBe(50);
    let overlaps = 0;
    for (const list of byThread.values()) {
      list.sort((a, b) => +a.started_at - +b.started_at);
      for (let i = 1; i < list.length; i++) if (list[i]!.started_at < list[i - 1]!.ended_at!) overlaps++;
    }
    expect(overlaps).toBe(0);
    // Informative: how the work was shared.
    const perWorker = Object.fromEntries(
      ["w1", "w2", "w3"].map((w) => [w, runs.filter((r) => r.worker_id === w).length]),
    );
    console.info("jobs per worker process", perWorker);
  }, 400_000);

  it("marks a killed worker's run interrupted after its lease; the other worker goes on and nothing is lost", async () => {
    workers = await Promise.all(["w1", "w2"].map((id) => spawnWorker(url, id, { CONCURRENCY: "2", LEASE_MS: "2000" })));
    const { job: hung } = await run(1, { hang: true });
    await waitUntil(async () => (await agentRuns()).some((r) => r.job_id === hung.id), "hung run started");
    const holder = (await queue.get(hung.id))!.holder!;
    const victim = workers.find((w) => w.id === holder)!;
    const survivor = workers.find((w) => w.id !== holder)!;
    const followUp = await run(1, "after the crash");
    victim.child.kill("SIGKILL");
    await victim.exited;
    const others: string[] = [];
    for (let i = 0; i < 20; i++) others.push((await run(10 + (i % 5), { sleepMs: 5 })).job.id);

    const killedAt = Date.now();
    const interrupted = await waitForStatus(
      (id) => queue.get(id),
      hung.id,
      ["interrupted", "succeeded", "failed", "cancelled"],
      60_000,
    );
    console.info("kill -9 → interrupted after ms", Date.now() - killedAt, "(lease 2000 ms)");
    expect(interrupted).toMatchObject({ status: "interrupted", holder });
    await waitUntil(async () => (await publishedOf(hung.id)).some((p) => p.what === "interrupted"), "thread told");
    expect((await publishedOf(hung.id)).find((p) => p.what === "interrupted")?.worker_id).toBe(survivor.id);
    for (const id of [...others, followUp.job.id]) {
      expect(
        await waitForStatus((i) => queue.get(i), id, ["succeeded", "failed", "cancelled", "interrupted"], 60_000),
      ).toMatchObject({
        status: "succeeded",
      });
    }
    // The follow-up resumed the session the killed run had started; the killed run was not re-run.
    expect((await publishedOf(followUp.job.id))[0]?.detail).toEqual({ resumedSessionId: `sess-${hung.id}` });
    expect((await agentRuns()).filter((r) => r.job_id === hung.id)).toHaveLength(1);
  }, 120_000);

  it("cancels a run held by another process, and delivers a permission answer there", async () => {
    workers = [await spawnWorker(url, "w1", { CONCURRENCY: "2" })];
    const { job: hung } = await run(1, { hang: true });
    const { job: asking } = await run(2, { permission: true });
    await waitUntil(async () => (await agentRuns()).some((r) => r.job_id === hung.id), "hung run started");
    expect(await queue.cancel(hung.id, "U7")).toMatchObject({ kind: "cancel_requested" });
    expect(
      await waitForStatus((id) => queue.get(id), hung.id, ["cancelled", "succeeded", "failed", "interrupted"]),
    ).toMatchObject({
      status: "cancelled",
      cancelRequestedBy: "U7",
    });
    expect((await agentRuns()).find((r) => r.job_id === hung.id)?.outcome).toBe("cancelled");
    expect((await publishedOf(hung.id)).find((p) => p.what === "finished")?.detail).toMatchObject({
      cancelledBy: "U7",
    });

    await waitUntil(
      async () => (await publishedOf(asking.id)).some((p) => p.what === "permission_request"),
      "permission asked",
    );
    expect(await queue.answerPermission(asking.id, "perm-1", { allow: false, message: "not now" }, "U1")).toBe(true);
    expect(
      await waitForStatus((id) => queue.get(id), asking.id, ["succeeded", "failed", "cancelled", "interrupted"]),
    ).toMatchObject({
      status: "succeeded",
    });
    expect((await publishedOf(asking.id)).find((p) => p.what === "finished")?.detail).toMatchObject({
      text: "permission denied",
    });
  }, 120_000);

  it("on SIGTERM finishes what it can within the grace period and marks the rest interrupted", async () => {
    const w = await spawnWorker(url, "w1", { CONCURRENCY: "2", GRACE_MS: "300" });
    workers = [w];
    const { job: hung } = await run(1, { hang: true });
    await waitUntil(async () => (await agentRuns()).some((r) => r.job_id === hung.id), "hung run started");
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
    expect((await queue.get(hung.id))?.status).toBe("interrupted");
    expect((await publishedOf(hung.id)).map((p) => p.what)).toEqual(["started", "interrupted"]);
    expect(await queue.listActive()).toEqual([]);
  }, 120_000);
});
