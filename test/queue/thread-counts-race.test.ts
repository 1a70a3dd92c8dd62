import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/store/adapters/postgres.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { claimJobs } from "../../src/store/queue/claim.js";
import { finishJob, finishJobs, releaseJobs } from "../../src/store/queue/finish.js";
import { reapExpiredLeases } from "../../src/store/queue/reap.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import type { Job } from "../../src/store/queue/types.js";
import { freshPostgresDatabase } from "../support/databases.js";

const url = process.env.TEST_DATABASE_URL;
const Hot = "hot-thread";
const Other = "other-thread";

type Drift = {
  thread_key: string;
  queued: number;
  running: number;
  actual_queued: number;
  actual_running: number;
};

/** Threads whose counts in job_threads differ from their jobs, in one snapshot (the triggers commit with the jobs). */
async function drift(db: Database): Promise<Drift[]> {
  const { rows } = await db.query<Drift>(
    `WITH actual AS (
       SELECT thread_key, count(*) FILTER (WHERE status = 'queued')::int AS actual_queued,
              count(*) FILTER (WHERE status = 'running')::int AS actual_running
       FROM jobs WHERE status IN ('queued', 'running') GROUP BY thread_key
     )
     SELECT coalesce(t.thread_key, a.thread_key) AS thread_key, coalesce(t.queued, 0) AS queued,
            coalesce(t.running, 0) AS running, coalesce(a.actual_queued, 0) AS actual_queued,
            coalesce(a.actual_running, 0) AS actual_running
     FROM job_threads t FULL JOIN actual a ON a.thread_key = t.thread_key
     WHERE coalesce(t.queued, 0) <> coalesce(a.actual_queued, 0) OR coalesce(t.running, 0) <> coalesce(a.actual_running, 0)`,
  );
  return rows;
}

/**
 * Enqueues, claims, finishes, cancels (queued and running), releases and lease reaps on one thread at once, each
 * actor on its own PostgreSQL connection pool. Nothing may be stranded (every job ends), no thread may have two
 * jobs claimed at once, and the per-thread counts the claim reads must equal the jobs in every snapshot.
 */
describe.skipIf(!url)("per-thread counts under concurrent enqueue / finish / cancel [postgres]", () => {
  let drop: () => Promise<void>;
  let dbUrl: string;
  const pools: Database[] = [];
  const open = async () => {
    const db = await openPostgres(dbUrl, { maxConnections: 2 });
    pools.push(db);
    return db;
  };

  beforeAll(async () => {
    ({ url: dbUrl, drop } = await freshPostgresDatabase());
    const db = await open();
    await migrate(db);
  });
  afterAll(async () => {
    for (const db of pools) await db.close();
    await drop?.();
  });

  it("strands no job, never runs two jobs of a thread, and keeps the counts exact", async () => {
    const PerEnqueuer = 120;
    const enqueuers = await Promise.all([open(), open(), open()]);
    const workers = await Promise.all([open(), open(), open(), open()]);
    const canceller = await open();
    const checker = await open();

    const unfinished = async (db: Database) =>
      (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running')"))
        .rows[0]!.n;
    let enqueuing = true;
    /** Once the enqueues are done, the others drain until every job ended, or give up here (a stranded job). */
    let drainUntil = Number.POSITIVE_INFINITY;
    const going = async (db: Database) => Date.now() < drainUntil && (enqueuing || (await unfinished(db)) > 0);
    const ids: string[] = [];
    /** Thread key → the job claimed and not yet handed to finish/release. */
    const inHand = new Map<string, string>();
    const doubleRuns: string[] = [];
    const drifts: Drift[] = [];
    let claimed = 0;

    const enqueue = async (db: Database, n: number) => {
      const queue = new SqlJobQueue(db);
      for (let i = 0; i < PerEnqueuer; i++) {
        const threadKey = (i + n) % 5 === 0 ? Other : Hot;
        const { job } = await queue.enqueue({ kind: "build", threadKey, payload: { n, i } });
        ids.push(job.id);
      }
    };

    const work = async (db: Database, w: number) => {
      const id = `w${w}`;
      let round = 0;
      while (await going(db)) {
        round++;
        // Now and then a worker "dies" with a 1 ms lease: the reaper below must end its job.
        const dies = round % 17 === 0;
        const jobs: Job[] = await claimJobs(db, id, round % 2 === 0 ? 2 : 3, dies ? 1 : 60_000);
        for (const job of jobs) {
          claimed++;
          const holding = inHand.get(job.threadKey);
          if (holding) doubleRuns.push(`${job.threadKey}: ${holding} and ${job.id}`);
          inHand.set(job.threadKey, job.id);
        }
        // Now and then both outcomes in one statement, as the worker's finish batcher writes them.
        if (!dies && jobs.length > 1 && round % 5 === 0) {
          for (const job of jobs) inHand.delete(job.threadKey);
          await finishJobs(
            db,
            id,
            jobs.map((job) => ({ jobId: job.id, status: "succeeded" as const })),
          );
          continue;
        }
        for (const job of jobs) {
          if (dies) {
            inHand.delete(job.threadKey);
            continue;
          }
          inHand.delete(job.threadKey);
          if (round % 11 === 0) await releaseJobs(db, [job.id], id);
          else await finishJob(db, job.id, id, round % 3 === 0 ? "failed" : "succeeded");
        }
        if (jobs.length === 0) await new Promise((r) => setImmediate(r));
      }
    };

    const cancel = async (db: Database) => {
      const queue = new SqlJobQueue(db);
      let i = 0;
      while (await going(db)) {
        const jobId = ids[(i++ * 7) % Math.max(1, ids.length)];
        if (jobId) await queue.cancel(jobId, "U1");
        await reapExpiredLeases(db);
        await new Promise((r) => setImmediate(r));
      }
    };

    const check = async (db: Database) => {
      while (await going(db)) {
        drifts.push(...(await drift(db)));
        await new Promise((r) => setImmediate(r));
      }
    };

    const actors = [
      ...workers.map((db, w) => work(db, w)),
      cancel(canceller),
      check(checker),
      Promise.all(enqueuers.map((db, n) => enqueue(db, n))).finally(() => {
        enqueuing = false;
        drainUntil = Date.now() + 30_000;
      }),
    ];
    await Promise.all(actors);

    expect(doubleRuns).toEqual([]);
    expect(drifts).toEqual([]);
    expect(await drift(checker)).toEqual([]);
    expect(ids).toHaveLength(3 * PerEnqueuer);
    // Every job ended: none left queued or running behind a count that says otherwise.
    const { rows } = await checker.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM jobs GROUP BY status ORDER BY status",
    );
    expect(rows.filter((r) => r.status === "queued" || r.status === "running")).toEqual([]);
    expect(await checker.query("SELECT * FROM job_threads WHERE queued > 0 OR running > 0")).toMatchObject({
      rows: [],
    });
    expect(rows.find((r) => r.status === "cancelled")?.n).toBeGreaterThan(0);
    expect(rows.find((r) => r.status === "interrupted")?.n).toBeGreaterThan(0);
    expect(claimed).toBeGreaterThan(0);
  }, 120_000);
});
