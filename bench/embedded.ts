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
 *  4. peak memory of the tree during those runs (sampled every 500 ms from a worker thread, agents excluded).
 *
 * Usage: node --import tsx bench/embedded.ts [rounds=5] [--codethread BIN_JS] [--at-once 20]
 *   --codethread  another checkout's bin/codethread.js (the "before" figures); default: this one's
 *   --env K=V     an extra variable for the bot (repeatable), e.g. CODETHREAD_CONCURRENCY=1
 *   --node-arg A  an option for the bot's node (repeatable), e.g. --cpu-prof
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { resolveAgentCli } from "../src/agents/agent-clis.js";
import { startWorkerThread } from "../src/worker-thread.js";
import { FakeSlack } from "../test/support/fake-slack.js";
import { startMockAnthropic } from "../test/support/mock-anthropic.js";
import { sign, slashForm } from "../test/support/slack-signing.js";
import type { AckResult, AckRound } from "./ack-client.js";
import { memory, type TreeMemory, tree } from "./process-memory.js";

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

/** Wait until no agent process of the last round is left (each round starts on a quiet bot). */
async function agentsGone(root: number): Promise<void> {
  while (tree(root, true).length > tree(root).length) await new Promise((r) => setTimeout(r, 100));
}

interface Bot {
  child: ChildProcess;
  url: string;
  readyMs: number;
}

/** Bots still running: killed if the bench itself fails, since they lead sessions of their own. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function startBot(env: NodeJS.ProcessEnv, cwd: string): Promise<Bot> {
  const t = performance.now();
  // Its own session, as under a service manager or in a container: with Linux's autogroup scheduling a
  // session is one share of the CPU, and the bench's fake Slack and mock LLM must not share the bot's.
  const child = spawn(process.execPath, [...values["node-arg"], bin, "start"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
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
  // Sampled in a worker thread: walking /proc takes tens of milliseconds, which on this thread would
  // delay reading the acks and count as their latency.
  const sampler = startWorkerThread(new URL("./memory-sampler.ts", import.meta.url), {
    workerData: { root: bot.child.pid },
  });
  // The acks are sent and timed in a worker thread of their own (bench/ack-client.ts).
  const client = startWorkerThread(new URL("./ack-client.ts", import.meta.url));

  await new Promise((resolve) => client.once("message", resolve)); // "ready": its own path is warm
  for (let r = 0; r < rounds; r++) {
    const answersBefore = fake.messages.filter((m) => m.text.includes("Hello")).length;
    // Every request is built and signed before the clock starts, then sent at once on its own connection
    // (as Slack does) with node:http from the client thread: fetch cost the bench itself 30–50 ms per 20
    // requests on this machine, and the fake Slack on this thread delayed reading the answers.
    const ts = Math.floor(Date.now() / 1000);
    const requests = Array.from({ length: atOnce }, (_, i) => {
      const body = slashForm({ text: `fix bug ${r}-${i}`, response_url: fake.responseUrl(`r${r}-${i}`) });
      return { body, signature: sign(secret, ts, body) };
    });
    const result = await new Promise<AckResult>((resolve) => {
      client.once("message", resolve);
      client.postMessage({
        url: bot.url,
        requests: requests.map(({ body, signature }) => ({
          body,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": String(ts),
            "x-slack-signature": signature,
          },
        })),
      } satisfies AckRound);
    });
    if (!result.ok) throw new Error(`round ${r + 1}: ${result.error}`);
    const round = result.ms;
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
  const peak = await new Promise<TreeMemory>((resolve) => {
    sampler.once("message", resolve);
    sampler.postMessage("peak");
  });
  await sampler.terminate();
  await client.terminate();
  times.sort((a, b) => a - b);
  console.log(
    `ack over ${times.length} (${rounds} rounds of ${atOnce} at once): p50 ${f(pct(times, 50))}, p99 ${f(pct(times, 99))}, max ${f(times.at(-1)!)}`,
  );
  console.log(`peak during the runs (agents excluded): ${mb(peak)}`);
  // The bot's own view (codethread_slack_answer_seconds, the front's time from a body's arrival to its answer).
  const metrics = await fetch(new URL("/metrics", bot.url)).then(
    (r) => (r.ok ? r.text() : ""),
    () => "",
  );
  const buckets = new Map<string, number>();
  for (const m of metrics.matchAll(/^codethread_slack_answer_seconds_bucket\{le="([^"]+)",by="(\w+)"\} (\d+)$/gm)) {
    buckets.set(m[1]!, (buckets.get(m[1]!) ?? 0) + Number(m[3]));
  }
  if (buckets.size) {
    const all = buckets.get("+Inf") ?? 0;
    const within = ["0.01", "0.025", "0.05"].map((le) => `${buckets.get(le) ?? 0} within ${Number(le) * 1000} ms`);
    console.log(`answered in the bot (front's clock): ${within.join(", ")}, of ${all}`);
  }
  await stopBot(bot);
  console.log(`load average after: ${load()}`);
} finally {
  await mock.close();
  await fake.stop();
  rmSync(root, { recursive: true, force: true });
}
