import { performance } from "node:perf_hooks";
import { openPostgres } from "../src/store/adapters/postgres.js";
import type { Database } from "../src/store/database.js";
import { migrate } from "../src/store/migrate.js";
import { claimJobs } from "../src/store/queue/claim.js";
import { releaseJobs } from "../src/store/queue/finish.js";
import { freshPostgresDatabase } from "../test/support/databases.js";

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const CLAIMS = Number(process.argv[2] ?? 200);
const LIMIT = 8;

interface Scenario {
  name: string;
  load(db: Database): Promise<void>;
}

/** Enqueued as jobs are, in many transactions (here of `Batch` jobs each), not in one bulk statement. */
const Batch = 100;

async function insertJobs(db: Database, count: number, threadKey: string): Promise<void> {
  for (let from = 0; from < count; from += Batch) {
    await db.query(
      `INSERT INTO jobs (kind, thread_key, payload)
       SELECT 'build', ${threadKey}, '{}'::jsonb FROM generate_series($1::int, $2::int - 1) i ORDER BY i`,
      [from, Math.min(count, from + Batch)],
    );
  }
}

const roundRobin = (jobs: number, threads: number): Scenario => ({
  name: `${jobs.toLocaleString("en")} queued over ${Math.min(jobs, threads).toLocaleString("en")} threads`,
  load: (db) => insertJobs(db, jobs, `'th-' || (i % ${threads})`),
});

const busyThread: Scenario = {
  name: "1 busy thread: 1 running + 45,000 queued, then 5,000 threads × 1",
  load: async (db) => {
    await insertJobs(db, 45_001, "'busy'");
    await db.query(
      `UPDATE jobs SET status = 'running', holder = 'elsewhere', attempts = 1, started_at = now(),
         lease_until = now() + interval '1 hour'
       WHERE seq = (SELECT min(seq) FROM jobs WHERE thread_key = 'busy')`,
    );
    await insertJobs(db, 5_000, "'th-' || i");
  },
};

const scenarios = [roundRobin(1_000, 5_000), roundRobin(10_000, 5_000), roundRobin(50_000, 5_000), busyThread];

/** The queue's tables (job_threads exists from migration 003 on). */
async function queueTables(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ t: string }>(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('jobs', 'job_threads')",
  );
  return rows.map((r) => r.t);
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] ?? Number.NaN;

/** One claim (timed) and the put-back of what it took (not timed). */
async function timeOneClaim(db: Database): Promise<{ ms: number; claimed: number }> {
  const t0 = performance.now();
  const jobs = await claimJobs(db, "bench", LIMIT, 60_000);
  const ms = performance.now() - t0;
  await releaseJobs(
    db,
    jobs.map((j) => j.id),
    "bench",
  );
  return { ms, claimed: jobs.length };
}

interface Loaded {
  scenario: Scenario;
  db: Database;
  tables: string[];
  drop: () => Promise<void>;
}

async function load(scenario: Scenario): Promise<Loaded> {
  const { url, drop } = await freshPostgresDatabase(adminUrl);
  const db = await openPostgres(url, { maxConnections: 1 });
  await migrate(db);
  const tables = await queueTables(db);
  // Stale: analyzed while the queue held a few finished jobs, then no autovacuum while it grows.
  await db.query(
    "INSERT INTO jobs (kind, thread_key, payload, status) SELECT 'build', 'old-' || i, '{}', 'succeeded' FROM generate_series(1, 5) i",
  );
  for (const t of tables) await db.exec(`ALTER TABLE ${t} SET (autovacuum_enabled = false); ANALYZE ${t}`);
  await scenario.load(db);
  return { scenario, db, tables, drop };
}

const loaded: Loaded[] = [];
try {
  for (const scenario of scenarios) loaded.push(await load(scenario));
  console.log(`claims of up to ${LIMIT} jobs, ${CLAIMS} per row, PostgreSQL, ${new Date().toISOString()}`);
  console.log("| backlog | planner statistics | claim p50 / p90 / max ms | jobs per claim |");
  console.log("|---|---|---|---|");
  for (const stats of ["stale (analyzed while tiny)", "fresh ANALYZE"]) {
    if (stats.startsWith("fresh")) for (const l of loaded) for (const t of l.tables) await l.db.exec(`ANALYZE ${t}`);
    const ms = loaded.map(() => [] as number[]);
    const claimed = loaded.map(() => 0);
    // Alternating: one claim per scenario in turn (the order rotating), so the machine's drift hits all alike.
    for (let i = -5; i < CLAIMS; i++) {
      for (let k = 0; k < loaded.length; k++) {
        const s = (i + 5 + k) % loaded.length;
        const r = await timeOneClaim(loaded[s]!.db);
        if (i < 0) continue;
        ms[s]!.push(r.ms);
        claimed[s]! += r.claimed;
      }
    }
    loaded.forEach((l, s) => {
      const sorted = ms[s]!.sort((a, b) => a - b);
      console.log(
        `| ${l.scenario.name} | ${stats} | ${pct(sorted, 0.5).toFixed(2)} / ${pct(sorted, 0.9).toFixed(2)} / ${sorted.at(-1)?.toFixed(2)} | ${(claimed[s]! / sorted.length).toFixed(1)} |`,
      );
    });
  }
} finally {
  for (const l of loaded) {
    await l.db.close();
    await l.drop();
  }
}
