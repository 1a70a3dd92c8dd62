import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/store/database.js";
import { ErrInvalidClaimLimit } from "../../src/store/errors.js";
import { migrate } from "../../src/store/migrate.js";
import { ControlChannel, JobsChannel, parseControlPayload } from "../../src/store/queue/channels.js";
import { claimJobs } from "../../src/store/queue/claim.js";
import { takeControls } from "../../src/store/queue/controls.js";
import { finishJob, finishJobs } from "../../src/store/queue/finish.js";
import { extendLeases } from "../../src/store/queue/lease.js";
import { reapExpiredLeases } from "../../src/store/queue/reap.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { describeEachDatabase } from "../support/databases.js";
import { runPayload, runThreadKey } from "../support/queue-fixtures.js";

describeEachDatabase("job queue", (target) => {
  let db: Database;
  let queue: SqlJobQueue;
  // One database per file (PGlite takes seconds to start); emptied before each test.
  beforeAll(async () => {
    db = await target.create();
    await migrate(db);
    queue = new SqlJobQueue(db);
  });
  beforeEach(async () => {
    await db.exec("TRUNCATE jobs, job_controls");
  });
  afterAll(async () => {
    await db.close();
  });

  const enqueue = (thread: number, dedupeKey?: string) =>
    queue.enqueue({ kind: "agent_run", threadKey: runThreadKey(thread), payload: runPayload(thread), dedupeKey });

  it("tells how many jobs of the thread are ahead, and wakes listeners", async () => {
    const woken: string[] = [];
    const unlisten = await db.listen(JobsChannel, (p) => woken.push(p));
    const a = await enqueue(1);
    const b = await enqueue(1);
    const c = await enqueue(1);
    const other = await enqueue(2);
    expect([a.ahead, b.ahead, c.ahead, other.ahead]).toEqual([0, 1, 2, 0]);
    expect(a).toMatchObject({ created: true, job: { status: "queued", kind: "agent_run", attempts: 0 } });
    expect(typeof a.job.id).toBe("string");
    await expect.poll(() => woken.length).toBe(4);
    await unlisten();
  });

  it("enqueues once per dedupe key, even when the same delivery arrives ten times at once", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => enqueue(1, "event:Ev1")));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(await queue.listActive()).toHaveLength(1);
  });

  it("claims only the oldest job of a thread, and never while the thread runs something", async () => {
    const a1 = await enqueue(1);
    const a2 = await enqueue(1);
    const b1 = await enqueue(2);
    const first = await claimJobs(db, "w1", 10, 30_000);
    expect(first.map((j) => j.id)).toEqual([a1.job.id, b1.job.id]);
    expect(first[0]).toMatchObject({ status: "running", holder: "w1", attempts: 1 });
    expect(await claimJobs(db, "w2", 10, 30_000)).toEqual([]);
    await finishJob(db, a1.job.id, "w1", "succeeded");
    const next = await claimJobs(db, "w2", 10, 30_000);
    expect(next.map((j) => j.id)).toEqual([a2.job.id]);
  });

  it("claims at most the number asked, oldest thread first, and refuses a limit that is not a whole number", async () => {
    const a1 = await enqueue(1);
    const b1 = await enqueue(2);
    expect((await claimJobs(db, "w1", 1, 30_000)).map((j) => j.id)).toEqual([a1.job.id]);
    await expect(claimJobs(db, "w1", 1.5, 30_000)).rejects.toBeInstanceOf(ErrInvalidClaimLimit);
    expect((await claimJobs(db, "w1", 1, 30_000)).map((j) => j.id)).toEqual([b1.job.id]);
  });

  it("orders a thread by the job queued after its last one started, not by the job that ran", async () => {
    const a1 = await enqueue(1);
    expect((await claimJobs(db, "w1", 1, 30_000)).map((j) => j.id)).toEqual([a1.job.id]);
    const b1 = await enqueue(2);
    const a2 = await enqueue(1);
    await finishJob(db, a1.job.id, "w1", "succeeded");
    // Thread 1's next job was queued after thread 2's: thread 2 goes first.
    expect((await claimJobs(db, "w2", 1, 30_000)).map((j) => j.id)).toEqual([b1.job.id]);
    expect((await claimJobs(db, "w2", 1, 30_000)).map((j) => j.id)).toEqual([a2.job.id]);
  });

  it("refuses a second running job in a thread at the database level", async () => {
    await enqueue(1);
    await enqueue(1);
    await expect(db.query("UPDATE jobs SET status = 'running'")).rejects.toThrow(/jobs_one_running_per_thread/);
  });

  it("never runs two jobs of a thread when many claims race", async () => {
    for (let i = 0; i < 30; i++) await enqueue(i % 3);
    const claimed = (await Promise.all(Array.from({ length: 8 }, (_, w) => claimJobs(db, `w${w}`, 5, 30_000)))).flat();
    const threads = claimed.map((j) => j.threadKey);
    expect(new Set(threads).size).toBe(threads.length);
    expect(claimed.length).toBeLessThanOrEqual(3);
  });

  it("removes a queued job on cancel, says so for a finished one, and knows no unknown id", async () => {
    const a = await enqueue(1);
    const b = await enqueue(1);
    const removed = await queue.cancel(b.job.id, "U2");
    expect(removed).toMatchObject({
      kind: "removed_from_queue",
      job: { status: "cancelled", cancelRequestedBy: "U2" },
    });
    const [claimed] = await claimJobs(db, "w1", 10, 30_000);
    await finishJob(db, claimed!.id, "w1", "succeeded");
    expect(await claimJobs(db, "w1", 10, 30_000)).toEqual([]);
    expect(await queue.cancel(a.job.id, "U2")).toMatchObject({
      kind: "already_finished",
      job: { status: "succeeded" },
    });
    expect(await queue.cancel("no-such-job", "U2")).toEqual({ kind: "not_found" });
  });

  it("sends a running job's cancel and permission answers to its holder by id", async () => {
    const a = await enqueue(1);
    expect(await queue.answerPermission(a.job.id, "perm-1", { allow: true }, "U1")).toBe(false);
    await claimJobs(db, "w1", 1, 30_000);
    const payloads: string[] = [];
    const unlisten = await db.listen(ControlChannel, (p) => payloads.push(p));
    const long = "x".repeat(20_000); // a long deny message must not break NOTIFY
    expect(await queue.answerPermission(a.job.id, "perm-1", { allow: false, message: long }, "U1")).toBe(true);
    expect(await queue.cancel(a.job.id, "U2")).toMatchObject({ kind: "cancel_requested", job: { status: "running" } });
    await expect.poll(() => payloads.length).toBe(2);
    expect(payloads.every((p) => p.length < 100 && parseControlPayload(p)?.jobId === a.job.id)).toBe(true);
    const controls = await takeControls(db, [a.job.id]);
    expect(controls.map((c) => c.message)).toEqual([
      { type: "permission", jobId: a.job.id, requestId: "perm-1", decision: { allow: false, message: long }, by: "U1" },
      { type: "cancel", jobId: a.job.id, by: "U2" },
    ]);
    expect(await takeControls(db, [a.job.id])).toEqual([]); // each is handled once
    await unlisten();
  });

  it("marks a job interrupted when its lease expires, and its old holder can no longer finish it", async () => {
    const a = await enqueue(1);
    await claimJobs(db, "dead", 1, 1);
    await expect.poll(async () => (await reapExpiredLeases(db)).map((j) => j.id)).toEqual([a.job.id]);
    const job = await queue.get(a.job.id);
    expect(job).toMatchObject({ status: "interrupted", holder: "dead" });
    expect(job?.error).toMatch(/stopped before the run finished/);
    expect(await finishJob(db, a.job.id, "dead", "succeeded")).toBeUndefined();
    expect(await extendLeases(db, "dead", [a.job.id], 30_000)).toEqual(new Set());
    expect((await enqueue(1)).ahead).toBe(0);
  });

  it("records several outcomes in one write, each with its own status, and only for jobs still held", async () => {
    const [a, b, c] = [await enqueue(1), await enqueue(2), await enqueue(3)];
    await claimJobs(db, "w1", 3, 30_000);
    await queue.cancel(c.job.id, "U1"); // a running job cancelled: still held until its run ends
    const done = await finishJobs(db, "w1", [
      { jobId: a.job.id, status: "succeeded" },
      { jobId: b.job.id, status: "failed", error: "the agent failed" },
      { jobId: "not-a-job", status: "succeeded" },
    ]);
    expect([...done.keys()].sort()).toEqual([a.job.id, b.job.id].sort());
    expect(await queue.get(a.job.id)).toMatchObject({ status: "succeeded", error: null });
    expect(await queue.get(b.job.id)).toMatchObject({ status: "failed", error: "the agent failed" });
    expect((await finishJobs(db, "other", [{ jobId: c.job.id, status: "succeeded" }])).size).toBe(0);
    // Their threads are free again: a new job of thread 1 runs next.
    expect((await enqueue(1)).ahead).toBe(0);
  });

  it("keeps a lease alive while it is extended", async () => {
    const a = await enqueue(1);
    await claimJobs(db, "w1", 1, 30_000);
    expect(await extendLeases(db, "w1", [a.job.id], 30_000)).toEqual(new Set([a.job.id]));
    expect(await extendLeases(db, "other", [a.job.id], 30_000)).toEqual(new Set());
    expect(await reapExpiredLeases(db)).toEqual([]);
  });

  it("lists active jobs oldest first, by thread", async () => {
    const a = await enqueue(1);
    const b = await enqueue(2);
    await enqueue(1);
    expect((await queue.listActive()).map((j) => j.id).slice(0, 2)).toEqual([a.job.id, b.job.id]);
    expect(await queue.listActive({ threadKey: runThreadKey(2) })).toHaveLength(1);
    expect(await queue.listActive({ limit: 1 })).toHaveLength(1);
  });
});
