import { afterEach, beforeEach, expect, it } from "vitest";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { createLogger } from "../../src/log.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { getThreadSession } from "../../src/store/thread-sessions.js";
import { createWorker, type Worker } from "../../src/worker/worker.js";
import { describeEachDatabase } from "../support/databases.js";
import { type OutageDatabase, openOutageDatabase } from "../support/outage.js";
import {
  countByStatus,
  RecordingPublisher,
  runPayload,
  runThreadKey,
  testRunRequest,
  waitForStatus,
  waitUntil,
} from "../support/queue-fixtures.js";
import { type Script, TestAgent } from "../support/test-agent.js";

/**
 * Workers in this process while their database goes away: PostgreSQL through a TCP proxy that is
 * cut (the shared server is never touched), PGlite through an in-process stand-in. The promise
 * under test: every run ends visibly in its thread, none runs twice, none is left `running`.
 */
const Lease = 1_000;
const finalStatuses = ["succeeded", "failed", "cancelled", "interrupted"] as const;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDatabase("runs through a database outage", (target) => {
  let o: OutageDatabase;
  let queue: SqlJobQueue;
  let agent: TestAgent;
  let publisher: RecordingPublisher;
  let workers: Worker[];
  let ended: number;
  /** Runs whose agent got past its first event: the worker took its session id (that write awaits the database). */
  let started: number;

  beforeEach(async () => {
    o = await openOutageDatabase(target);
    queue = new SqlJobQueue(o.direct);
    ended = 0;
    started = 0;
    agent = new TestAgent("test-agent", { onStart: () => void started++, onEnd: () => void ended++ });
    publisher = new RecordingPublisher();
    workers = [];
  });
  afterEach(async () => {
    await o.restore();
    for (const w of workers) await w.stop({ graceMs: 0 });
    await o.close();
  });

  async function startWorker(id: string, dbRetryMs: number): Promise<Worker> {
    const worker = createWorker({
      db: o.db,
      registry: new ProviderRegistry().register(agent),
      publisher,
      workerId: id,
      log: process.env.FAULT_LOG ? createLogger({ level: process.env.FAULT_LOG, format: "json" }) : undefined,
      concurrency: 4,
      leaseMs: Lease,
      pollMs: 100,
      dbRetryMs,
      resolveWorkspace: () => ({ kind: "local", directory: "/tmp" }),
      buildRequest: testRunRequest(),
    });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  const run = (thread: number, script: Script) =>
    queue.enqueue({ kind: "agent_run", threadKey: runThreadKey(thread), payload: runPayload(thread, script) });
  const finalCalls = (jobId: string) =>
    publisher.of(jobId).filter((c) => c.what === "finished" || c.what === "interrupted");

  it("8 runs in flight and 22 queued on two workers: an outage of three leases loses no run and runs none twice", async () => {
    await startWorker("w-a", 30_000);
    await startWorker("w-b", 30_000);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await run(i % 8, { sleepMs: 600 })).job.id);
    // In flight and past the session-id write, so the cut finds them working, not writing.
    await waitUntil(() => agent.running.size === 8 && started >= 8, "8 runs in flight");

    await o.cut();
    const cutAt = Date.now();
    // The in-flight runs end while the database is away: session id, audit and outcome all wait.
    await waitUntil(() => ended >= 8, "the 8 runs to end during the outage");
    await pause(3 * Lease - (Date.now() - cutAt)); // past every lease taken before the cut
    await o.restore();

    for (const id of ids) await waitForStatus((i) => queue.get(i), id, finalStatuses, 60_000);
    expect(await countByStatus(o.direct)).toEqual({ succeeded: 30 });
    const { rows } = await o.direct.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE attempts <> 1");
    expect(rows[0]!.n).toBe(0);
    expect(agent.requests.map((r) => r.runId).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(finalCalls(id).map((c) => c.what)).toEqual(["finished"]);
    for (let t = 0; t < 8; t++) expect((await getThreadSession(o.direct, runThreadKey(t)))?.sessionId).toBeTruthy();
  }, 120_000);

  it("past the retry budget a run still ends visibly in its thread, and nothing stays running", async () => {
    await startWorker("w-a", 300);
    const a = await run(1, { sleepMs: 400 });
    const b = await run(2, { sleepMs: 400 });
    await waitUntil(() => agent.running.size === 2, "2 runs in flight");
    await o.cut();
    await waitUntil(() => ended >= 2, "both runs to end during the outage");
    await pause(1_500); // several retry budgets
    await o.restore();

    for (const job of [a.job, b.job]) {
      const settled = await waitForStatus((i) => queue.get(i), job.id, finalStatuses, 60_000);
      expect(["failed", "interrupted"]).toContain(settled.status);
      await waitUntil(() => finalCalls(job.id).length > 0, "the thread to hear the end");
    }
    expect(await queue.listActive()).toEqual([]);
    // Not run again by the worker that lost track of them.
    await pause(3 * Lease);
    expect(agent.requests.map((r) => r.runId).sort()).toEqual([a.job.id, b.job.id].sort());
  }, 120_000);

  it("a run whose session writes fail past the budget still tells its thread and is recorded", async () => {
    await startWorker("w-a", 200);
    o.db.refuse((sql) => sql.startsWith("UPDATE thread_sessions"));
    const { job } = await run(1, { sleepMs: 50 });
    const settled = await waitForStatus((i) => queue.get(i), job.id, finalStatuses, 30_000);
    o.db.restore();
    expect(settled.status).toBe("succeeded");
    expect(finalCalls(job.id).map((c) => c.what)).toEqual(["finished"]);
    expect(await queue.listActive()).toEqual([]);
  }, 60_000);

  it("while its session write waits for the database, the run's progress and answer reach the thread", async () => {
    await startWorker("w-a", 600_000); // the write keeps retrying for as long as the test lasts
    o.db.refuse((sql) => sql.startsWith("UPDATE thread_sessions"));
    const { job } = await run(1, { sleepMs: 50 });
    await waitUntil(() => finalCalls(job.id).length > 0, "the answer, during the outage");
    const refusedDuring = o.db.refused;
    expect(refusedDuring).toBeGreaterThan(0); // the session write was waiting meanwhile
    const seen = publisher.of(job.id).flatMap((c) => (c.what === "event" ? [c.event.type] : [c.what]));
    expect(seen).toEqual(["started", "session_started", "text", "finished"]);
    o.db.restore();
    const settled = await waitForStatus((i) => queue.get(i), job.id, finalStatuses, 30_000);
    expect(settled.status).toBe("succeeded");
    expect((await getThreadSession(o.direct, runThreadKey(1)))?.sessionId).toBe(`sess-${job.id}`);
  }, 60_000);

  it("a claim or an outcome whose answer was lost is neither dropped nor done twice", async () => {
    o.db.loseNextAnswer((sql) => sql.includes("SKIP LOCKED"));
    // The outcome write: the worker batches its outcomes (finishJobs).
    o.db.loseNextAnswer((sql) => sql.startsWith("UPDATE jobs SET status = b.status"));
    await startWorker("w-a", 30_000);
    const { job } = await run(1, { sleepMs: 50 });
    expect(await waitForStatus((i) => queue.get(i), job.id, finalStatuses, 30_000)).toMatchObject({
      status: "succeeded",
      attempts: 1,
    });
    // The outcome's lost answer is recorded when its reply comes back on the worker's connection, which can be a
    // moment after this test's own read already saw the committed status.
    await waitUntil(() => o.db.lost.length >= 2, "both lost answers recorded");
    expect(o.db.lost).toHaveLength(2);
    expect(agent.requests.map((r) => r.runId)).toEqual([job.id]);
    expect(finalCalls(job.id).map((c) => c.what)).toEqual(["finished"]);
  }, 60_000);
});
