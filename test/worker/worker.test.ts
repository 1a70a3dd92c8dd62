import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { listAudit } from "../../src/store/audit.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { claimJobs } from "../../src/store/queue/claim.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { getThreadSession, setThreadSessionId } from "../../src/store/thread-sessions.js";
import type { AgentRunPayload } from "../../src/worker/agent-run-payload.js";
import { createWorker, type Worker } from "../../src/worker/worker.js";
import { describeEachDatabase } from "../support/databases.js";
import {
  RecordingPublisher,
  runPayload,
  runThreadKey,
  testRunRequest,
  waitForStatus,
  waitUntil,
} from "../support/queue-fixtures.js";
import { type Script, TestAgent } from "../support/test-agent.js";

describeEachDatabase("worker", (target) => {
  let db: Database;
  let queue: SqlJobQueue;
  let agent: TestAgent;
  /** When the agent itself started and ended each run (monotonic clock, inside the job's claim…finish). */
  let spans: Map<string, { start: number; end?: number }>;
  let publisher: RecordingPublisher;
  let workers: Worker[];

  beforeAll(async () => {
    db = await target.create();
    await migrate(db);
    queue = new SqlJobQueue(db);
  });
  beforeEach(async () => {
    await db.exec("TRUNCATE jobs, job_controls, thread_sessions, audit_log");
    spans = new Map();
    agent = new TestAgent("test-agent", {
      onStart: (r) => void spans.set(r.runId, { start: performance.now() }),
      onEnd: (r) => {
        spans.get(r.runId)!.end = performance.now();
      },
    });
    publisher = new RecordingPublisher();
    workers = [];
  });
  afterEach(async () => {
    for (const w of workers) await w.stop({ graceMs: 0 });
  });
  afterAll(async () => {
    await db.close();
  });

  async function startWorker(extra: { leaseMs?: number; concurrency?: number } = {}): Promise<Worker> {
    const registry = new ProviderRegistry().register(agent);
    const worker = createWorker({
      db,
      registry,
      publisher,
      concurrency: extra.concurrency ?? 4,
      leaseMs: extra.leaseMs ?? 10_000,
      pollMs: 200,
      resolveWorkspace: () => ({ kind: "local", directory: "/tmp" }),
      buildRequest: testRunRequest(),
    });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  const run = (thread: number, script: Script | string = {}, extra: Partial<AgentRunPayload> = {}) =>
    queue.enqueue({ kind: "agent_run", threadKey: runThreadKey(thread), payload: runPayload(thread, script, extra) });
  const settled = (id: string) =>
    waitForStatus((i) => queue.get(i), id, ["succeeded", "failed", "cancelled", "interrupted"]);

  it("runs a turn, keeps its session for the thread and reports it in order", async () => {
    await startWorker();
    const { job } = await run(1, { sleepMs: 5 });
    expect(await settled(job.id)).toMatchObject({ status: "succeeded", error: null });
    const session = await getThreadSession(db, runThreadKey(1));
    expect(session).toMatchObject({ provider: "test-agent", sessionId: `sess-${job.id}`, ownerUserId: "U1" });
    const whats = publisher.of(job.id).map((c) => (c.what === "event" ? c.event.type : c.what));
    expect(whats).toEqual(["started", "session_started", "text", "finished"]);
    expect((await listAudit(db, { threadKey: runThreadKey(1) })).map((a) => a.action)).toEqual([
      "run.finish",
      "run.start",
    ]);
  });

  it("queues a follow-up behind the running turn and resumes the same session", async () => {
    const first = await run(1, { sleepMs: 300 });
    const second = await run(1, "follow-up");
    const third = await run(1, "another");
    expect([first.ahead, second.ahead, third.ahead]).toEqual([0, 1, 2]);
    await startWorker({ concurrency: 4 });
    await settled(third.job.id);
    const [a, b, c] = await Promise.all([first, second, third].map((r) => queue.get(r.job.id)));
    expect([a?.status, b?.status, c?.status]).toEqual(["succeeded", "succeeded", "succeeded"]);
    const [sa, sb, sc] = [first, second, third].map((r) => spans.get(r.job.id)!);
    expect(sb!.start).toBeGreaterThanOrEqual(sa!.end!);
    expect(sc!.start).toBeGreaterThanOrEqual(sb!.end!);
    expect(agent.requests.map((r) => r.sessionId)).toEqual([undefined, `sess-${first.job.id}`, `sess-${first.job.id}`]);
  });

  it("stores the session id as soon as the agent reports it, before the turn ends", async () => {
    await startWorker();
    const { job } = await run(1, { hang: true });
    await waitUntil(
      async () => (await getThreadSession(db, runThreadKey(1)))?.sessionId === `sess-${job.id}`,
      "session id",
    );
    expect((await queue.get(job.id))?.status).toBe("running");
    await queue.cancel(job.id, "U1");
    await settled(job.id);
  });

  it("cancels a running turn: the agent is stopped and the thread hears who cancelled", async () => {
    await startWorker();
    const { job } = await run(1, { hang: true });
    await waitUntil(() => agent.running.has(job.id), "agent running");
    expect(await queue.cancel(job.id, "U9")).toMatchObject({ kind: "cancel_requested" });
    expect(await settled(job.id)).toMatchObject({ status: "cancelled", cancelRequestedBy: "U9" });
    expect(agent.cancelled).toContain(job.id);
    const finished = publisher.of(job.id).find((c) => c.what === "finished");
    expect(finished).toMatchObject({ cancelledBy: "U9", result: { outcome: "cancelled" } });
    expect(await queue.cancel(job.id, "U9")).toMatchObject({ kind: "already_finished" });
  });

  it("cancels a queued follow-up so it never runs", async () => {
    await startWorker();
    const first = await run(1, { hang: true });
    const second = await run(1, "never");
    expect(await queue.cancel(second.job.id, "U1")).toMatchObject({ kind: "removed_from_queue" });
    await waitUntil(() => agent.running.has(first.job.id), "first running");
    await queue.cancel(first.job.id, "U1");
    await settled(first.job.id);
    expect(agent.requests.map((r) => r.runId)).toEqual([first.job.id]);
  });

  it("delivers a permission answer to the running agent", async () => {
    await startWorker();
    const { job } = await run(1, { permission: true });
    await waitUntil(
      () => publisher.of(job.id).some((c) => c.what === "event" && c.event.type === "permission_request"),
      "ask",
    );
    expect(await queue.answerPermission(job.id, "perm-1", { allow: true }, "U1")).toBe(true);
    expect(await settled(job.id)).toMatchObject({ status: "succeeded" });
    expect(publisher.of(job.id).find((c) => c.what === "finished")).toMatchObject({
      result: { text: "permission allowed" },
    });
  });

  it("fails a job with a malformed payload clearly, and goes on with the next", async () => {
    await startWorker();
    const bad = await queue.enqueue({ kind: "agent_run", threadKey: runThreadKey(1), payload: { prompt: 42 } });
    const good = await run(1, "fine");
    expect(await settled(bad.job.id)).toMatchObject({ status: "failed" });
    expect((await queue.get(bad.job.id))?.error).toMatch(/invalid payload.*teamId/);
    expect(await settled(good.job.id)).toMatchObject({ status: "succeeded" });
  });

  it("tells the thread when a run cannot start (unknown agent) and fails the job", async () => {
    await startWorker();
    const { job } = await run(1, "hi", { provider: "no-such-agent" });
    expect(await settled(job.id)).toMatchObject({ status: "failed" });
    expect((await queue.get(job.id))?.error).toMatch(/Unknown agent "no-such-agent"/);
    const calls = publisher.of(job.id);
    expect(calls.map((c) => c.what)).toEqual(["started", "finished"]);
    expect(calls[1]).toMatchObject({ result: { outcome: "failed", errorCode: "unknown_provider" } });
  });

  it("fails a job of a kind nobody handles", async () => {
    await startWorker();
    const { job } = await queue.enqueue({ kind: "provision", threadKey: "T1:C1:1.1", payload: {} });
    expect(await settled(job.id)).toMatchObject({ status: "failed" });
    expect((await queue.get(job.id))?.error).toMatch(/No handler for jobs of kind "provision"/);
  });

  it("starts a fresh session when the agent no longer knows the thread's, and tells the thread first", async () => {
    await startWorker();
    const first = await run(1, "hello");
    await settled(first.job.id);
    const old = (await getThreadSession(db, runThreadKey(1)))?.sessionId;
    expect(old).toBeTruthy();
    const lost = await run(1, { sessionNotFound: true });
    expect(await settled(lost.job.id)).toMatchObject({ status: "succeeded" });
    // Asked to resume, refused, then run once more without a session.
    expect(agent.requests.slice(-2).map((r) => r.sessionId)).toEqual([old, undefined]);
    const calls = publisher.of(lost.job.id).map((c) => c.what);
    expect(calls[0]).toBe("started");
    expect(calls[1]).toBe("notice");
    expect(calls.at(-1)).toBe("finished");
    expect(publisher.of(lost.job.id)[1]).toMatchObject({ text: expect.stringContaining("starting fresh") });
    const fresh = (await getThreadSession(db, runThreadKey(1)))?.sessionId;
    expect(fresh).toBe(`sess-${lost.job.id}`);
    const next = await run(1, "again");
    await settled(next.job.id);
    expect(agent.requests.at(-1)?.sessionId).toBe(fresh);
  });

  it("marks a run whose worker died as interrupted, tells the thread, keeps the session", async () => {
    const { job } = await run(1, "orphan");
    await db.query(
      "INSERT INTO thread_sessions (thread_key, team_id, channel_id, thread_ts, provider, owner_user_id) VALUES ($1, 'T1', 'C1', $2, 'test-agent', 'U1')",
      [runThreadKey(1), runPayload(1).threadTs],
    );
    await setThreadSessionId(db, runThreadKey(1), "sess-kept");
    await claimJobs(db, "a-dead-worker", 1, 300); // claimed, then nobody heartbeats
    await startWorker({ leaseMs: 400 });
    expect(await settled(job.id)).toMatchObject({ status: "interrupted", holder: "a-dead-worker" });
    await waitUntil(() => publisher.of(job.id).some((c) => c.what === "interrupted"), "interrupted notice");
    expect(agent.requests).toEqual([]); // not re-run
    expect((await getThreadSession(db, runThreadKey(1)))?.sessionId).toBe("sess-kept");
    const next = await run(1, "continue");
    await settled(next.job.id);
    expect(agent.requests[0]?.sessionId).toBe("sess-kept");
  });

  it("on stop lets short runs finish, then interrupts the rest and leaves nothing running", async () => {
    const worker = await startWorker();
    const short = await run(1, { sleepMs: 300 });
    const long = await run(2, { hang: true });
    await waitUntil(() => agent.running.has(short.job.id) && agent.running.has(long.job.id), "both running");
    await worker.stop({ graceMs: 1_000 });
    expect((await queue.get(short.job.id))?.status).toBe("succeeded");
    expect((await queue.get(long.job.id))?.status).toBe("interrupted");
    expect(publisher.of(long.job.id).map((c) => c.what)).toContain("interrupted");
    expect(publisher.of(long.job.id).map((c) => c.what)).not.toContain("finished");
    expect(await queue.listActive()).toEqual([]);
    // Proof the stopped worker takes nothing more: a job queued now is claimed by a worker started
    // after it (a stopped worker still listening would have claimed it on the enqueue notification).
    const later = await run(3, { hang: true });
    const next = await startWorker();
    await waitUntil(() => agent.running.has(later.job.id), "the later job running");
    expect((await queue.get(later.job.id))?.holder).toBe(next.id);
  });

  it("runs many threads on two workers at once, one turn at a time per thread", async () => {
    await Promise.all([startWorker({ concurrency: 3 }), startWorker({ concurrency: 3 })]);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await run(i % 6, { sleepMs: 2 })).job.id);
    for (const id of ids) await settled(id);
    const jobs = await Promise.all(ids.map((id) => queue.get(id)));
    expect(jobs.filter((j) => j?.status !== "succeeded" || j.attempts !== 1)).toEqual([]);
    for (let t = 0; t < 6; t++) {
      // The agent's own start/end times: job timestamps (now() = transaction start) may precede the snapshot.
      const mine = jobs
        .filter((j) => j!.threadKey === runThreadKey(t))
        .map((j) => spans.get(j!.id)!)
        .sort((a, b) => a.start - b.start);
      expect(mine).toHaveLength(10);
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i]!.start, `thread ${t}: run ${i} started before run ${i - 1} ended`).toBeGreaterThanOrEqual(
          mine[i - 1]!.end!,
        );
      }
    }
    expect(new Set(agent.requests.map((r) => r.runId)).size).toBe(60);
  });
});
