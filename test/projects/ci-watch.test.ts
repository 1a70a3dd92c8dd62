import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeAudit, PlainAuditStyle } from "../../src/audit/describe.js";
import type { ForgeConnection } from "../../src/ci/connection.js";
import type { CombinedCommitStatus, Forge } from "../../src/ci/forge.js";
import { ciWatchJobHandler } from "../../src/ci/pr/ci-watch-job.js";
import type { CiWatchPayload } from "../../src/ci/pr/payloads.js";
import { silentLogger } from "../../src/log.js";
import { listAudit } from "../../src/store/audit.js";
import type { Database } from "../../src/store/database.js";
import { savePullRequest } from "../../src/store/pull-requests.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import type { Job } from "../../src/store/queue/types.js";
import type { JobContext, StopReason } from "../../src/worker/handler.js";
import { openMigratedPGlite } from "../support/pglite-template.js";

/**
 * The `ci_watch` job on its own, against a forge whose commit status the test sets: a verdict is
 * posted once per thread and commit even when two watches (two replicas after a takeover) see it;
 * a watch whose commit was superseded by a newer push ends without a word; the deadline is said
 * once; an interrupted watch is queued again with the same deadline.
 */
let db: Database;
let status: CombinedCommitStatus;
const posts: { text: string }[] = [];
const Sha = "a".repeat(40);
const Key = "T1:C1:1700000000.000100";

function payload(over: Partial<CiWatchPayload> = {}): CiWatchPayload {
  return {
    teamId: "T1",
    channelId: "C1",
    threadTs: "1700000000.000100",
    project: "demo",
    owner: "acme",
    repo: "demo",
    branch: "codethread/abc",
    sha: Sha,
    prNumber: 1,
    prUrl: "http://forge.example/acme/demo/pulls/1",
    deadlineAt: new Date(Date.now() + 60_000).toISOString(),
    generation: 0,
    ...over,
  };
}

function ctx(id: string, p: CiWatchPayload, stop?: () => StopReason | undefined): JobContext {
  const job: Job = {
    id,
    kind: "ci_watch",
    threadKey: `ci:${Key}:${p.sha}`,
    payload: p,
    status: "running",
    attempts: 1,
    dedupeKey: null,
    createdAt: new Date(),
    startedAt: new Date(),
    finishedAt: null,
    holder: "w1",
    leaseUntil: null,
    cancelRequestedBy: null,
    error: null,
  };
  return {
    job,
    workerId: "w1",
    signal: new AbortController().signal,
    stopReason: stop ?? (() => undefined),
    onPermission: () => undefined,
    log: silentLogger,
  };
}

/** Status reads so far, and who waits for the next one. */
let polls = 0;
let polled: (() => void)[] = [];
const forge = {
  commitStatus: async () => {
    polls++;
    for (const resolve of polled) resolve();
    polled = [];
    return status;
  },
} as Pick<Forge, "commitStatus"> as Forge;

/** Resolves once the watch has read the status `n` times in all. */
async function pollsReach(n: number): Promise<void> {
  while (polls < n) await new Promise<void>((resolve) => polled.push(resolve));
}
const handler = () =>
  ciWatchJobHandler({
    db,
    queue: new SqlJobQueue(db),
    connect: async (): Promise<ForgeConnection> => ({ forge }),
    poster: { postInThread: async (_where, m) => void posts.push({ text: m.text }) },
    log: silentLogger,
    initialDelayMs: 5,
    maxDelayMs: 10,
  });

beforeAll(async () => {
  db = await openMigratedPGlite();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  posts.length = 0;
  await db.exec("TRUNCATE ci_verdicts, thread_pull_requests, job_controls, jobs, audit_log");
  await savePullRequest(db, {
    threadKey: Key,
    branch: "codethread/abc",
    project: "demo",
    base: "main",
    number: 1,
    url: "http://forge.example/acme/demo/pulls/1",
    headSha: Sha,
    createdBy: "U1",
  });
});

describe("the CI watch", () => {
  it("posts a verdict once, whichever of two watches of the commit sees it", async () => {
    status = {
      state: "success",
      sha: Sha,
      statuses: [{ context: "ci", state: "success", description: "", targetUrl: "http://ci.example/1" }],
    };
    const h = handler();
    const outcomes = await Promise.all([h.run(ctx("job-1", payload())), h.run(ctx("job-2", payload()))]);
    expect(outcomes).toEqual([{ status: "succeeded" }, { status: "succeeded" }]);
    expect(posts.map((p) => p.text)).toEqual([`:white_check_mark: CI passed on ${Sha.slice(0, 8)} (pull request #1)`]);
    // Another watch of the same commit later posts nothing either.
    await h.run(ctx("job-3", payload()));
    expect(posts).toHaveLength(1);
    // One audit record, in words for `/agent audit`.
    const records = (await listAudit(db, { threadKey: Key })).filter((r) => r.action === "ci.verdict");
    expect(records.map((r) => describeAudit(r, PlainAuditStyle))).toEqual([
      "the CI said success on aaaaaaaa of pull request #1 (demo)",
    ]);
  });

  it("waits while the CI has not reported, then posts the failure", async () => {
    status = { state: "pending", sha: Sha, statuses: [] };
    const h = handler();
    const before = polls;
    const run = h.run(ctx("job-1", payload()));
    await pollsReach(before + 2); // read twice, nothing final yet
    expect(posts).toEqual([]);
    status = {
      state: "failure",
      sha: Sha,
      statuses: [{ context: "ci", state: "failure", description: "", targetUrl: "http://ci.example/2" }],
    };
    expect(await run).toEqual({ status: "succeeded" });
    expect(posts.map((p) => p.text)).toEqual([`:x: CI failed on ${Sha.slice(0, 8)} (pull request #1)`]);
  });

  it("ends without a word when a newer push superseded the commit, and says the deadline once", async () => {
    status = { state: "pending", sha: Sha, statuses: [] };
    const old = "b".repeat(40);
    expect(await handler().run(ctx("job-1", payload({ sha: old })))).toEqual({ status: "succeeded" });
    expect(posts).toEqual([]);

    const past = new Date(Date.now() - 1).toISOString();
    await handler().run(ctx("job-2", payload({ deadlineAt: past, deadlineMinutes: 30 })));
    await handler().run(ctx("job-3", payload({ deadlineAt: past, deadlineMinutes: 30 })));
    expect(posts.map((p) => p.text)).toEqual([":hourglass: No CI verdict for aaaaaaaa within 30 minutes"]);
  });

  it("stops when told, and an interrupted watch is queued again with the same deadline", async () => {
    status = { state: "pending", sha: Sha, statuses: [] };
    const h = handler();
    const p = payload();
    expect(await h.run(ctx("job-1", p, () => ({ kind: "shutdown" })))).toEqual({
      status: "interrupted",
      error: "the worker shut down",
    });
    await h.interrupted?.(ctx("job-1", p).job, "the bot restarted");
    await h.interrupted?.(ctx("job-1", p).job, "the bot restarted"); // told twice: still one new watch
    const { rows } = await db.query<{ payload: CiWatchPayload; thread_key: string }>(
      "SELECT payload, thread_key FROM jobs WHERE kind = 'ci_watch'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).toEqual({ ...p, generation: 1 });
    expect(rows[0]!.thread_key).toBe(`ci:${Key}:${Sha}`);
  });
});
