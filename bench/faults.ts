import { ProviderRegistry } from "../src/agents/registry.js";
import { silentLogger } from "../src/log.js";
import { openPostgres } from "../src/store/adapters/postgres.js";
import { migrate } from "../src/store/migrate.js";
import { SqlJobQueue } from "../src/store/queue/sql-job-queue.js";
import { LoggingPublisher } from "../src/worker/publisher.js";
import { createWorker } from "../src/worker/worker.js";
import { freshPostgresDatabase } from "../test/support/databases.js";
import { runPayload, runThreadKey, testRunRequest } from "../test/support/queue-fixtures.js";
import { killAll, spawnWorker, WorkerProcessTables } from "../test/support/queue-processes.js";
import { TcpProxy } from "../test/support/tcp-proxy.js";
import { TestAgent } from "../test/support/test-agent.js";

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!adminUrl) {
  process.stderr.write("set BENCH_DATABASE_URL (a PostgreSQL it may create databases on)\n");
  process.exit(2);
}
const leases = process.argv.slice(2).map(Number).filter(Boolean);
const kills = Number(process.env.FAULT_BENCH_KILLS ?? 3);
const outages = (process.env.FAULT_BENCH_OUTAGES ?? "5,45").split(",").map((s) => Number(s) * 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await sleep(20);
  }
}

async function crashDetection(leaseMs: number): Promise<number[]> {
  const { url, drop } = await freshPostgresDatabase(adminUrl);
  const db = await openPostgres(url, { maxConnections: 2 });
  await migrate(db);
  await db.exec(WorkerProcessTables);
  const queue = new SqlJobQueue(db);
  const workers = await Promise.all(["w1", "w2"].map((id) => spawnWorker(url, id, { LEASE_MS: String(leaseMs) })));
  const samples: number[] = [];
  try {
    for (let i = 0; i < kills; i++) {
      const { job } = await queue.enqueue({
        kind: "agent_run",
        threadKey: runThreadKey(i),
        payload: runPayload(i, { hang: true }),
      });
      await until(async () => (await queue.get(job.id))?.status === "running", 60_000);
      const holder = (await queue.get(job.id))!.holder!;
      const dying = workers.find((w) => w.id === holder)!;
      // Let the lease be renewed at least once, as in a run that has been going for a while.
      await sleep(leaseMs / 2);
      const killedAt = Date.now();
      dying.child.kill("SIGKILL");
      await until(async () => (await queue.get(job.id))?.status === "interrupted", leaseMs * 3 + 30_000);
      samples.push(Date.now() - killedAt);
      workers.splice(workers.indexOf(dying), 1, await spawnWorker(url, dying.id, { LEASE_MS: String(leaseMs) }));
    }
  } finally {
    await killAll(workers);
    await db.close();
    await drop();
  }
  return samples;
}

async function outage(cutMs: number): Promise<{ lost: number; twice: number; recoverMs: number }> {
  const { url, drop } = await freshPostgresDatabase(adminUrl);
  const direct = await openPostgres(url, { maxConnections: 2 });
  await migrate(direct);
  const proxy = await TcpProxy.forUrl(url);
  const db = await openPostgres(proxy.url(url), { maxConnections: 12 });
  const starts = new Map<string, number>();
  const agent = new TestAgent("test-agent", {
    onStart: (r) => void starts.set(r.runId, (starts.get(r.runId) ?? 0) + 1),
  });
  const worker = createWorker({
    db,
    registry: new ProviderRegistry().register(agent),
    publisher: new LoggingPublisher(silentLogger),
    concurrency: 8,
    resolveWorkspace: () => ({ kind: "local", directory: "/tmp" }),
    buildRequest: testRunRequest(600_000),
  });
  await worker.start();
  const queue = new SqlJobQueue(direct);
  const ids: string[] = [];
  for (let i = 0; i < 8; i++)
    ids.push(
      (
        await queue.enqueue({
          kind: "agent_run",
          threadKey: runThreadKey(i),
          payload: runPayload(i, { sleepMs: 2_000 }),
        })
      ).job.id,
    );
  await until(async () => agent.running.size === 8, 60_000);
  await proxy.cut();
  await sleep(cutMs);
  await proxy.restore();
  const restored = Date.now();
  const final = async () =>
    (await direct.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status NOT IN ('queued', 'running')"))
      .rows[0]!.n === 8;
  await until(final, 300_000);
  const recoverMs = Date.now() - restored;
  const { rows } = await direct.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status <> 'succeeded'");
  await worker.stop({ graceMs: 0 });
  await db.close();
  await proxy.close();
  await direct.close();
  await drop();
  return { lost: rows[0]!.n, twice: [...starts.values()].filter((n) => n > 1).length, recoverMs };
}

for (const lease of leases.length ? leases : [2_000, 30_000]) {
  const samples = await crashDetection(lease);
  const reap = Math.max(100, Math.min(5_000, Math.floor(lease / 2)));
  process.stdout.write(
    `crash detection, lease ${lease} ms (reap every ${reap} ms, bound ${lease + reap} ms): kill → interrupted ${samples.map((s) => `${s} ms`).join(", ")}\n`,
  );
}
for (const cut of outages) {
  const r = await outage(cut);
  process.stdout.write(
    `database cut ${cut / 1000} s with 8 runs in flight (lease 30 s, retry 60 s): ${r.lost} not succeeded, ${r.twice} run twice, all recorded ${r.recoverMs} ms after the restore\n`,
  );
}
