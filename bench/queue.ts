import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Logger as GraphileLogger, makeWorkerUtils, type Runner, run as runGraphile } from "graphile-worker";
import PgBoss from "pg-boss";
import { ProviderRegistry } from "../src/agents/registry.js";
import { silentLogger } from "../src/log.js";
import { openPGlite } from "../src/store/adapters/pglite.js";
import { openPostgres } from "../src/store/adapters/postgres.js";
import { migrate } from "../src/store/migrate.js";
import { SqlJobQueue } from "../src/store/queue/sql-job-queue.js";
import type { JobHandler } from "../src/worker/handler.js";
import { LoggingPublisher } from "../src/worker/publisher.js";
import { createWorker, type Worker } from "../src/worker/worker.js";
import { freshPostgresDatabase } from "../test/support/databases.js";

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const JOBS = Number(process.env.QUEUE_BENCH_JOBS ?? 1_000);
const LATENCY_N = Number(process.env.QUEUE_BENCH_LATENCY_N ?? 100);
const CONCURRENCY = Number(process.env.QUEUE_BENCH_CONCURRENCY ?? 8);
const SERIAL = { keys: 20, perKey: 10, ms: 10 };
/** Throughput rounds: each subject once per round, the order reversed every other round (the machine's drift hits all). */
const ROUNDS = Number(process.env.QUEUE_BENCH_ROUNDS ?? 3);

/** What a queue under test must offer. `key`: run jobs with the same key one at a time. */
interface Subject {
  name: string;
  startWorkers(handler: (tag: string) => Promise<void>): Promise<void>;
  stopWorkers(): Promise<void>;
  add(tag: string, key?: string): Promise<void>;
  close(): Promise<void>;
  /** Jobs of throughput/latency scenarios (pg-boss polls: fewer, to stay within seconds). */
  scale?: number;
  serial?: boolean;
  /** Cancel of a running job → its handler's abort signal fires (ms), n samples. */
  cancelLatencies?(n: number): Promise<number[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ours(url: string, embedded = false): Promise<Subject> {
  const db = embedded ? await openPGlite() : await openPostgres(url, { maxConnections: CONCURRENCY + 4 });
  await migrate(db);
  const queue = new SqlJobQueue(db);
  let worker: Worker | undefined;
  const start = async (kind: "build" | "provision", run: JobHandler["run"]) => {
    worker = createWorker({
      db,
      registry: new ProviderRegistry(),
      publisher: new LoggingPublisher(silentLogger),
      concurrency: CONCURRENCY,
      resolveWorkspace: () => ({ kind: "local", directory: "." }),
      buildRequest: () => ({}) as never, // no agent runs here
      handlers: { [kind]: { run } },
    });
    await worker.start();
  };
  return {
    name: embedded ? "codethread queue on PGlite (in process, in memory)" : "codethread queue",
    serial: true,
    startWorkers: (handler) =>
      start("build", async (ctx) => {
        await handler((ctx.job.payload as { tag: string }).tag);
        return { status: "succeeded" };
      }),
    stopWorkers: async () => worker?.stop({ graceMs: 5_000 }),
    async add(tag, key) {
      await queue.enqueue({ kind: "build", threadKey: key ?? tag, payload: { tag } });
    },
    async cancelLatencies(n) {
      let started = () => {};
      let aborted: (t: number) => void = () => {};
      await start("provision", async (ctx) => {
        started();
        await new Promise((r) => ctx.signal.addEventListener("abort", r, { once: true }));
        aborted(performance.now());
        return { status: "cancelled" };
      });
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const running = new Promise<void>((r) => (started = r));
        const stopped = new Promise<number>((r) => (aborted = r));
        const { job } = await queue.enqueue({ kind: "provision", threadKey: `cancel-${i}`, payload: {} });
        await running;
        const t0 = performance.now();
        await queue.cancel(job.id, "bench");
        out.push((await stopped) - t0);
      }
      await worker?.stop({ graceMs: 1_000 });
      return out.sort((x, y) => x - y);
    },
    close: () => db.close(),
  };
}

async function graphile(url: string): Promise<Subject> {
  const logger = new GraphileLogger(() => () => {});
  const utils = await makeWorkerUtils({ connectionString: url, logger });
  await utils.migrate();
  let runner: Runner | undefined;
  return {
    name: "graphile-worker 0.17.3",
    serial: true,
    async startWorkers(handler) {
      runner = await runGraphile({
        connectionString: url,
        concurrency: CONCURRENCY,
        noHandleSignals: true,
        pollInterval: 1_000,
        logger,
        taskList: { noop: async (payload) => handler((payload as { tag: string }).tag) },
      });
    },
    async stopWorkers() {
      await runner?.stop();
    },
    async add(tag, key) {
      await utils.addJob("noop", { tag }, key ? { queueName: key } : {});
    },
    close: async () => {
      await utils.release();
    },
  };
}

async function pgBoss(url: string): Promise<Subject> {
  const boss = new PgBoss({ connectionString: url, max: CONCURRENCY + 2 });
  boss.on("error", () => {});
  await boss.start();
  await boss.createQueue("noop");
  let ids: string[] = [];
  return {
    name: "pg-boss 10.4.2 (poll 0.5 s)",
    scale: 0.1, // it polls every 0.5 s: 100 jobs, 10 latency samples
    async startWorkers(handler) {
      for (let i = 0; i < CONCURRENCY; i++) {
        ids.push(
          await boss.work<{ tag: string }>("noop", { pollingIntervalSeconds: 0.5, batchSize: 1 }, async (jobs) => {
            for (const job of jobs) await handler(job.data.tag);
          }),
        );
      }
    },
    async stopWorkers() {
      for (const id of ids) await boss.offWork({ id });
      ids = [];
    },
    async add(tag) {
      await boss.send("noop", { tag });
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] ?? NaN;

/** One throughput round: jobs/s, and CPU per 1,000 jobs in this process (the queue's client) and in the server. */
type Round = { n: number; jobsPerSec: number; clientMsPer1k: number; serverMsPer1k?: number; stealPct: number };

/** The machine's CPU ticks so far: all, and stolen by the hypervisor (the `cpu` line of /proc/stat). */
function cpuTicks(): { total: number; steal: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
}

type Figures = { name: string; p50: number; p99: number; latencyN: number; rounds: Round[] } & {
  serialSec?: number;
  serialOverlaps?: number;
  cancelMs?: number[];
};

/** CPU time (ms) of every local PostgreSQL process, from /proc; undefined when the server is not on this machine. */
function serverCpuMs(): number | undefined {
  if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname)) return undefined;
  let ticks = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) continue;
      const fields = stat.slice(close + 2).split(" ");
      // utime, stime, cutime, cstime (fields 14–17 of stat): a backend that exits is counted in the postmaster's
      // cutime/cstime once reaped, so the sum only grows.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone meanwhile
    }
  }
  return (ticks * 1000) / ClockTicksPerSecond;
}
/** USER_HZ: 100 on every Linux this runs on. */
const ClockTicksPerSecond = 100;

/** Queue N no-op jobs with the pool stopped, then process them (one job per key, all parallel). */
async function throughput(s: Subject): Promise<Round> {
  const n = Math.max(50, Math.round(JOBS * (s.scale ?? 1)));
  for (let i = 0; i < n; i++) await s.add(`tp-${i}`);
  const client0 = process.cpuUsage();
  const server0 = serverCpuMs();
  const ticks0 = cpuTicks();
  const seconds = await processAll(s, n, async () => {});
  const client = process.cpuUsage(client0);
  const server1 = serverCpuMs();
  const ticks1 = cpuTicks();
  return {
    n,
    stealPct: (100 * (ticks1.steal - ticks0.steal)) / Math.max(1, ticks1.total - ticks0.total),
    jobsPerSec: n / seconds,
    clientMsPer1k: ((client.user + client.system) / 1000 / n) * 1000,
    serverMsPer1k: server0 === undefined || server1 === undefined ? undefined : ((server1 - server0) / n) * 1000,
  };
}

const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

async function measure(s: Subject): Promise<Figures> {
  const scale = s.scale ?? 1;
  let onStart: (tag: string) => void = () => {};
  await s.startWorkers(async (tag) => onStart(tag));
  // Latency: one job at a time into an idle pool.
  const latencyN = Math.max(10, Math.round(LATENCY_N * scale));
  const lat: number[] = [];
  for (let i = -5; i < latencyN; i++) {
    const tag = `lat-${i}`;
    const started = new Promise<number>((resolve) => {
      onStart = (t) => t === tag && resolve(performance.now());
    });
    const t0 = performance.now();
    await s.add(tag);
    const t1 = await started;
    if (i >= 0) lat.push(t1 - t0);
    await sleep(2);
  }
  await s.stopWorkers();
  lat.sort((a, b) => a - b);

  const figures: Figures = { name: s.name, p50: pct(lat, 0.5), p99: pct(lat, 0.99), latencyN, rounds: [] };
  figures.cancelMs = await s.cancelLatencies?.(20);
  if (!s.serial) return figures;
  // Per-key serial: 20 keys × 10 jobs × 10 ms; count starts while the key already runs.
  const total = SERIAL.keys * SERIAL.perKey;
  for (let i = 0; i < total; i++) await s.add(`s-${i % SERIAL.keys}-${i}`, `k${i % SERIAL.keys}`);
  const active = new Set<string>();
  figures.serialOverlaps = 0;
  figures.serialSec = await processAll(s, total, async (tag) => {
    const key = tag.split("-")[1]!;
    if (active.has(key)) figures.serialOverlaps!++;
    active.add(key);
    await sleep(SERIAL.ms);
    active.delete(key);
  });
  return figures;
}

/** Start the pool on `n` queued jobs with `handler`; seconds until all ran; stop the pool. */
async function processAll(s: Subject, n: number, handler: (tag: string) => Promise<void>): Promise<number> {
  let done = 0;
  let allDone = () => {};
  const finished = new Promise<void>((r) => (allDone = r));
  const t0 = performance.now();
  await s.startWorkers(async (tag) => {
    await handler(tag);
    if (++done === n) allDone();
  });
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await s.stopWorkers();
  return seconds;
}

const { url, drop } = await freshPostgresDatabase(adminUrl);
const results: Figures[] = [];

/** Printed before the database is dropped: dropping it (WITH FORCE) ends pools a library may still hold. */
function printResults(): void {
  const f = (x: number | undefined, d = 1) => (x === undefined ? "n/a" : x.toFixed(d));
  console.log(`concurrency ${CONCURRENCY}, PostgreSQL ${new URL(url).host}, ${new Date().toISOString()}`);
  console.log(`throughput: ${ROUNDS} rounds, each queue once per round, the order reversed every other round`);
  const steal = results.flatMap((r) => r.rounds.map((x) => x.stealPct));
  console.log(
    `CPU stolen by the hypervisor during the throughput rounds: ${steal.map((x) => `${f(x, 0)} %`).join(", ")}`,
  );
  console.log(
    "| queue | enqueue→start p50 / p99 ms | no-op jobs/s: median (rounds) | CPU ms per 1k jobs: client / server (medians) | serial 20×10×10 ms: s (ideal ~0.25), overlaps | cancel→abort p50 / max ms |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const r of results) {
    const serial = r.serialSec === undefined ? "n/a" : `${f(r.serialSec, 2)}, ${r.serialOverlaps}`;
    const cancel = r.cancelMs
      ? `${f(pct(r.cancelMs, 0.5))} / ${f(r.cancelMs.at(-1))} (n=${r.cancelMs.length})`
      : "cannot";
    const rounds = r.rounds.map((x) => f(x.jobsPerSec, 0)).join(", ");
    const server = r.rounds.flatMap((x) => (x.serverMsPer1k === undefined ? [] : [x.serverMsPer1k]));
    const cpu = `${f(median(r.rounds.map((x) => x.clientMsPer1k)), 0)} / ${server.length ? f(median(server), 0) : "n/a"}`;
    console.log(
      `| ${r.name} | ${f(r.p50)} / ${f(r.p99)} (n=${r.latencyN}) | ${f(median(r.rounds.map((x) => x.jobsPerSec)), 0)} (${rounds}; n=${r.rounds[0]?.n}) | ${cpu} | ${serial} | ${cancel} |`,
    );
  }
  const [a, ...others] = results;
  for (const b of others) {
    if (!a || b.name.includes("PGlite")) continue;
    const serial = a.serialSec && b.serialSec ? `, serial time ×${f(a.serialSec / b.serialSec, 2)}` : "";
    // Pairs from the same round: the machine's state is shared by both sides of a pair.
    const pairs = a.rounds.map((x, i) => x.jobsPerSec / (b.rounds[i]?.jobsPerSec ?? NaN));
    console.log(
      `ratio ${a.name} / ${b.name}: throughput ×${f(median(pairs), 2)} (median of round pairs ${pairs.map((x) => `×${f(x, 2)}`).join(", ")}), p50 latency ×${f(a.p50 / b.p50, 2)}, p99 ×${f(a.p99 / b.p99, 2)}${serial}`,
    );
  }
}

try {
  const only = process.env.QUEUE_BENCH_ONLY?.split(",");
  const subjects: Subject[] = [];
  try {
    for (const [id, make] of [
      ["ours", ours],
      ["graphile", graphile],
      ["pgboss", pgBoss],
      ["pglite", (u: string) => ours(u, true)],
    ] as const) {
      if (only && !only.includes(id)) continue;
      const subject = await make(url);
      subjects.push(subject);
      results.push(await measure(subject));
      console.error(`measured ${subject.name}`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = subjects.map((s, i) => [s, results[i]!] as const);
      if (round % 2 === 1) order.reverse();
      for (const [subject, figures] of order) figures.rounds.push(await throughput(subject));
      console.error(`throughput round ${round + 1} of ${ROUNDS}`);
    }
  } finally {
    for (const subject of subjects) await subject.close();
  }
  printResults();
} finally {
  await drop();
}
