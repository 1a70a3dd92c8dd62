/**
 * The embedded default (docs/BENCHMARKS.md, "Embedded default"): the real `codethread start` (the
 * compiled bin) with no DATABASE_URL, its data in a fresh CODETHREAD_DATA_DIR, talking to the fake
 * Slack Web API of test/support in this process, running the real `claude` CLI against the mock
 * Anthropic API. Measures:
 *  1. ready: from spawn to "Slack app listening" — on the first start (empty data directory) and on a
 *     restart over the same directory;
 *  2. idle memory of the bot's process tree (the bot and any database process it started): the sum of
 *     RSS, and of PSS (shared pages split between the processes sharing them), 3 s after ready;
 *  3. ack latency: ROUNDS rounds of 20 signed `/agent fix bug N` slash commands sent at once to the
 *     real Bolt app; the time to each HTTP response; each round waits for its 20 answers;
 *  4. peak memory of the tree during those runs (sampled every 100 ms, agents excluded).
 *
 * Usage: node --import tsx bench/embedded.ts [rounds=5] [--codethread BIN_JS] [--at-once 20]
 *   --codethread  another checkout's bin/codethread.js (the "before" figures); default: this one's
 *   --env K=V     an extra variable for the bot (repeatable), e.g. CODETHREAD_CONCURRENCY=1
 *   --node-arg A  an option for the bot's node (repeatable), e.g. --cpu-prof
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { resolveAgentCli } from "../src/agents/agent-clis.js";
import { FakeSlack } from "../test/support/fake-slack.js";
import { startMockAnthropic } from "../test/support/mock-anthropic.js";
import { signedPost, slashForm } from "../test/support/slack-signing.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    codethread: { type: "string" },
    "at-once": { type: "string", default: "20" },
    env: { type: "string", multiple: true, default: [] },
    "node-arg": { type: "string", multiple: true, default: [] },
  },
});
const rounds = Number(positionals[0] ?? 5);
const atOnce = Number(values["at-once"]);
const bin = path.resolve(values.codethread ?? "bin/codethread.js");
const secret = "bench-signing-secret";
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** pid → parent pid of every process. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** The tree under `root` (itself included), without agent CLIs (claude runs are not the bot's memory) unless asked. */
function tree(root: number, agents = false): number[] {
  const ppids = parents();
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    for (const [pid, ppid] of ppids) if (ppid === pids[i] && (agents || comm(pid) !== "claude")) pids.push(pid);
  }
  return pids;
}

/** Wait until no agent process of the last round is left (each round starts on a quiet bot). */
async function agentsGone(root: number): Promise<void> {
  while (tree(root, true).length > tree(root).length) await new Promise((r) => setTimeout(r, 100));
}

/** Sum of RSS and PSS (kB → MB) over a process tree. */
function memory(root: number): { rss: number; pss: number; processes: number } {
  let rss = 0;
  let pss = 0;
  const pids = tree(root);
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { rss: rss / 1024, pss: pss / 1024, processes: pids.length };
}

interface Bot {
  child: ChildProcess;
  url: string;
  readyMs: number;
}

function startBot(env: NodeJS.ProcessEnv, cwd: string): Promise<Bot> {
  const t = performance.now();
  const child = spawn(process.execPath, [...values["node-arg"], bin, "start"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err = (err + d.toString("utf8")).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (!line.includes("Slack app listening")) return;
      const url = (JSON.parse(line) as { url: string }).url;
      resolve({ child, url, readyMs: performance.now() - t });
    });
    child.once("exit", (code) => reject(new Error(`codethread start exited with ${code}: ${err}`)));
  });
}

async function stopBot(bot: Bot): Promise<void> {
  const exited = new Promise((r) => bot.child.once("exit", r));
  bot.child.kill("SIGTERM");
  await exited;
}

const build = values.codethread
  ? { status: 0 }
  : spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const root = mkdtempSync(path.join(tmpdir(), "ct-bench-embedded-"));
const home = path.join(root, "home");
const work = path.join(root, "work");
for (const d of [home, work]) mkdirSync(d, { recursive: true });
const fake = await new FakeSlack({ recordLimit: 10_000 }).start();
const mock = await startMockAnthropic();
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: home,
  LOG_FORMAT: "json",
  LOG_LEVEL: "info",
  SLACK_BOT_TOKEN: "xoxb-bench-not-secret",
  SLACK_SIGNING_SECRET: secret,
  SLACK_API_URL: fake.apiUrl,
  PORT: "0",
  CODETHREAD_DATA_DIR: path.join(root, "data"),
  CODETHREAD_WORKSPACE_DIR: work,
  CODETHREAD_PROVIDERS: "claude-code",
  CLAUDE_BIN: resolveAgentCli("claude-code", process.env.CLAUDE_BIN).bin,
  CLAUDE_CONFIG_ROOT: path.join(root, "claude-config"),
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: "bench-key-not-secret",
  CLAUDE_CODE_MAX_RETRIES: "0",
  ...Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
};
const f = (ms: number) => `${ms.toFixed(1)} ms`;
const mb = (m: { rss: number; pss: number; processes: number }) =>
  `RSS ${m.rss.toFixed(0)} MB, PSS ${m.pss.toFixed(0)} MB (${m.processes} processes)`;

try {
  console.log(`node ${process.version}, ${bin}; load average ${load()}`);
  const first = await startBot(env, work);
  console.log(`first start (empty data directory): ready in ${f(first.readyMs)}`);
  await new Promise((r) => setTimeout(r, 3_000));
  console.log(`idle after first start: ${mb(memory(first.child.pid!))}`);
  await stopBot(first);

  const bot = await startBot(env, work);
  console.log(`restart (same data directory): ready in ${f(bot.readyMs)}`);
  await new Promise((r) => setTimeout(r, 3_000));
  console.log(`idle after restart: ${mb(memory(bot.child.pid!))}`);

  const times: number[] = [];
  let peak = { rss: 0, pss: 0, processes: 0 };
  const sampler = setInterval(() => {
    const m = memory(bot.child.pid!);
    if (m.rss > peak.rss) peak = m;
  }, 100);
  for (let r = 0; r < rounds; r++) {
    const answersBefore = fake.messages.filter((m) => m.text.includes("Hello")).length;
    const round = await Promise.all(
      Array.from({ length: atOnce }, async (_, i) => {
        const form = slashForm({ text: `fix bug ${r}-${i}`, response_url: fake.responseUrl(`r${r}-${i}`) });
        const t = performance.now();
        const res = await signedPost(bot.url, form, { secret, contentType: "application/x-www-form-urlencoded" });
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`ack ${r}-${i}: HTTP ${res.status} ${res.text}`);
        return ms;
      }),
    );
    times.push(...round);
    const sorted = [...round].sort((a, b) => a - b);
    await fake.waitFor(
      () => fake.messages.filter((m) => m.text.includes("Hello")).length >= answersBefore + atOnce,
      `the answers of round ${r}`,
      300_000,
    );
    await agentsGone(bot.child.pid!);
    console.log(
      `round ${r + 1}: ${atOnce} at once, ack p50 ${f(pct(sorted, 50))}, max ${f(sorted.at(-1)!)}; load ${load()}`,
    );
  }
  clearInterval(sampler);
  times.sort((a, b) => a - b);
  console.log(
    `ack over ${times.length} (${rounds} rounds of ${atOnce} at once): p50 ${f(pct(times, 50))}, p99 ${f(pct(times, 99))}, max ${f(times.at(-1)!)}`,
  );
  console.log(`peak during the runs (agents excluded): ${mb(peak)}`);
  await stopBot(bot);
  console.log(`load average after: ${load()}`);
} finally {
  await mock.close();
  await fake.stop();
  rmSync(root, { recursive: true, force: true });
}
