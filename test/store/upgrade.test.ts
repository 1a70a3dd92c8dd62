import { afterEach, expect, it } from "vitest";
import type { Database } from "../../src/store/database.js";
import { loadMigrations, migrate } from "../../src/store/migrate.js";
import { enqueueJob } from "../../src/store/queue/enqueue.js";
import { describeEachDatabase } from "../support/databases.js";

/**
 * A database at the schema of the release before the queue's thread table and pull requests
 * (migrations 003 and 007 came after 008–010 were deployed) upgrades in place: the gaps are
 * applied at the next start, the jobs already queued are counted in `job_threads`, and the queue
 * claims them in their order.
 */
const PreviousRelease = [1, 2, 4, 5, 6, 8, 9, 10];

describeEachDatabase("upgrading a deployed database", (target) => {
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it("applies the migrations numbered in between and counts the jobs already queued", async () => {
    db = await target.create();
    const all = loadMigrations();
    await migrate(
      db,
      all.filter((m) => PreviousRelease.includes(m.id)),
    );
    for (const key of ["T1:C1:1.1", "T1:C1:1.1", "T1:C1:2.2"]) {
      await db.query("INSERT INTO jobs (kind, thread_key, payload) VALUES ('agent_run', $1, '{}')", [key]);
    }

    expect(await migrate(db, all)).toEqual([
      "003_job_threads.sql",
      "007_pull_requests.sql",
      "011_job_threads_claim_shortcut.sql",
    ]);

    const { rows } = await db.query<{ thread_key: string; queued: number; running: number }>(
      "SELECT thread_key, queued, running FROM job_threads ORDER BY thread_key",
    );
    expect(rows).toEqual([
      { thread_key: "T1:C1:1.1", queued: 2, running: 0 },
      { thread_key: "T1:C1:2.2", queued: 1, running: 0 },
    ]);
    // The new job kinds are accepted, and a job enqueued after the upgrade is counted behind the old ones.
    const pr = await enqueueJob(db, { kind: "pull_request", threadKey: "T1:C1:1.1", payload: {} });
    expect(pr.ahead).toBe(2);
  });
});
