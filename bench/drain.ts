/**
 * What a stop (SIGTERM) takes, measured on whole bot processes (test/support/bot-process.ts: the real app,
 * Bolt in HTTP mode, the scripted TestAgent) on PostgreSQL, Slack being the fake Web API:
 *
 *   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test node --import tsx bench/drain.ts [SAMPLES]
 *
 * 1. idle, drain delay 0 and 5 s: SIGTERM → the first 503 from /readyz, and SIGTERM → exit.
 * 2. one run that never ends, grace 5 s, delay 0: SIGTERM → exit, and SIGTERM → the thread told it was
 *    interrupted (the bound is grace + ShutdownTailMs; the abort takes the TestAgent no time).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openPostgres } from "../src/store/adapters/postgres.js";
import { migrate } from "../src/store/migrate.js";
import { type BotProcess, spawnBot } from "../test/support/bot-processes.js";
import { repliesOf, sendSlash } from "../test/support/bot-requests.js";
import { FakeSlack } from "../test/support/fake-slack.js";

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!adminUrl) {
  process.stderr.write("set BENCH_DATABASE_URL (a PostgreSQL it may create databases on)\n");
  process.exit(2);
}
process.env.TEST_DATABASE_URL = adminUrl;
const { freshPostgresDatabase } = await import("../test/support/databases.js");
const samples = Number(process.argv[2] ?? 3);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function until<T>(check: () => T | undefined | Promise<T | undefined>, limitMs = 120_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const readyz = (b: BotProcess) =>
  fetch(`${new URL(b.url).origin}/readyz`).then(
    (r) => r.status,
    () => 0,
  );

const { url, drop } = await freshPostgresDatabase();
const db = await openPostgres(url, { maxConnections: 2 });
await migrate(db);
const fake = await new FakeSlack().start();
const dir = mkdtempSync(path.join(tmpdir(), "ct-bench-drain-"));
let n = 0;
/** One bot process on the bench's database and fake Slack, with these drain settings. */
const bot = (name: string, drainDelay: string, stopGrace: string) =>
  spawnBot(`${name}-${++n}`, {
    dir,
    databaseUrl: url,
    slackApiUrl: fake.apiUrl,
    env: { CODETHREAD_DRAIN_DELAY: drainDelay, CODETHREAD_STOP_GRACE: stopGrace },
  });
try {
  for (const delay of ["0", "5s"]) {
    const unready: number[] = [];
    const exits: number[] = [];
    for (let i = 0; i < samples; i++) {
      const idle = await bot("idle", delay, "30s");
      await until(async () => ((await readyz(idle)) === 200 ? true : undefined));
      const at = Date.now();
      idle.child.kill("SIGTERM");
      const exited = idle.exited.then(() => Date.now() - at);
      await until(async () => ((await readyz(idle)) !== 200 ? true : undefined));
      unready.push(Date.now() - at);
      exits.push(await exited);
    }
    process.stdout.write(
      `idle, drain delay ${delay}: SIGTERM → unready ${unready.map(seconds).join(", ")}; → exit ${exits.map(seconds).join(", ")}\n`,
    );
  }
  const exits: number[] = [];
  const told: number[] = [];
  for (let i = 0; i < samples; i++) {
    const busy = await bot("busy", "0", "5s");
    const r = await sendSlash(fake, busy.url, `hang-${n}`, { hang: true });
    await until(async () =>
      (await db.query("SELECT 1 FROM jobs WHERE status = 'running'")).rowCount ? true : undefined,
    );
    const at = Date.now();
    busy.child.kill("SIGTERM");
    const exited = busy.exited.then(() => Date.now() - at);
    await until(() => (repliesOf(fake, r).some((m) => /interrupted/.test(m.text)) ? true : undefined));
    told.push(Date.now() - at);
    exits.push(await exited);
  }
  process.stdout.write(
    `one hung run, grace 5 s: SIGTERM → thread told ${told.map(seconds).join(", ")}; → exit ${exits.map(seconds).join(", ")}\n`,
  );
} finally {
  await fake.stop();
  await db.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
}
