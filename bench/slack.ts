/**
 * Slack benchmarks (docs/BENCHMARKS.md, "Slack"):
 *  1. ack latency of `/agent <prompt>` (p50/p99 over N signed slash commands into the real Bolt app);
 *  2. Slack API calls per run for one run with 200 tool uses spread over 2 minutes;
 *  3. calls per minute and 429s with 20 such runs at once in one workspace, against the fake
 *     Slack enforcing Tier 3 for chat.update (50/min/workspace) and ~1 msg/s/channel for chat.postMessage;
 *  4. "first tool visible": from a run's first tool use to the card showing it (real time, default budgets);
 *  5. "final card after the answer, 50 runs at once": 50 runs started together that end in five bursts of ten
 *     (one burst every 30 s), 30 tool uses each; per run the time from its answer reaching Slack to its card's
 *     final edit, and the 429s, against the same tiers as 3.
 * Time is COMPRESSED by SCALE (default 20): every rate and interval on both sides (the publisher's
 * per-card interval and chat.update budget, the fake's tier windows, the run's tool schedule) is
 * divided by SCALE, so 2 minutes run in 6 s and call counts are those of real time. Retry-After
 * stays in whole seconds (the Web API client's unit), so a 429 costs SCALE× more than in real time.
 *
 * Usage: node --import tsx bench/slack.ts [commands=1000] [scale=20] [only=ack,runs,first-tool,finals]
 */
import { performance } from "node:perf_hooks";
import { DefaultProgressOptions } from "../src/slack/progress-editor.js";
import { type HarnessOptions, SlackHarness } from "../test/support/slack-harness.js";
import type { Step } from "../test/support/slack-test-agent.js";

const commands = Number(process.argv[2] ?? 1000);
const scale = Number(process.argv[3] ?? 20);
const only = new Set((process.argv[4] ?? "ack,runs,first-tool,finals").split(","));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function harness(extra: HarnessOptions = {}): Promise<SlackHarness> {
  return SlackHarness.start({
    ...extra,
    overrides: {
      progress: {
        ...DefaultProgressOptions,
        cardIntervalMs: DefaultProgressOptions.cardIntervalMs / scale,
        updatesPerMinute: DefaultProgressOptions.updatesPerMinute * scale,
        burst: DefaultProgressOptions.burst,
      },
      worker: {
        pollMs: 50,
        leaseMs: 30_000,
        concurrency: 32,
        resolveWorkspace: () => ({ kind: "local", directory: process.cwd() }),
      },
      stopGraceMs: 2_000,
      ...extra.overrides,
    },
  });
}

async function ackLatency(): Promise<void> {
  const h = await harness();
  h.agent.script = () => ({ steps: [{ tool: "Bash", input: { command: "true" }, summary: "Ran true" }], answer: "ok" });
  for (let i = 0; i < 20; i++) await h.slash(`warm-up ${i}`);
  const times: number[] = [];
  for (let i = 0; i < commands; i++) {
    const t = performance.now();
    const res = await h.slash(`fix bug ${i}`);
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`ack ${i}: HTTP ${res.status}`);
  }
  await h.fake.waitFor(() => h.cards().length >= commands + 20, "all cards", 600_000);
  times.sort((a, b) => a - b);
  console.log(
    `ack latency over ${commands} slash commands (each then posts a card, queues and runs): p50 ${pct(times, 50).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
  );
  const quiet: number[] = [];
  for (let i = 0; i < Math.min(commands, 200); i++) {
    const t = performance.now();
    await h.slash("help");
    quiet.push(performance.now() - t);
  }
  quiet.sort((a, b) => a - b);
  console.log(
    `baseline: ack of ${quiet.length} \`/agent help\` (answered in the ack, no background work): p50 ${pct(quiet, 50).toFixed(1)} ms, p99 ${pct(quiet, 99).toFixed(1)} ms`,
  );
  await h.stop();
}

/** 200 tool uses evenly over 2 minutes (compressed). */
function longRun(prompt: string): Step[] {
  const steps: Step[] = [];
  const gap = 120_000 / 200 / scale;
  for (let i = 0; i < 200; i++) {
    steps.push({
      tool: i % 3 === 0 ? "Edit" : "Bash",
      input: i % 3 === 0 ? { file_path: `src/f${i % 17}.ts` } : { command: `step ${i}` },
      summary: `step ${i} of ${prompt}`,
    });
    steps.push({ sleepMs: gap });
  }
  return steps;
}

function countByMethod(h: SlackHarness): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of h.fake.calls) out[c.method] = (out[c.method] ?? 0) + 1;
  return out;
}

async function runs(n: number): Promise<void> {
  const windowMs = 60_000 / scale;
  const h = await harness({
    fake: {
      tiers: { "chat.update": 50 },
      channelTiers: { "chat.postMessage": 60 },
      tierWindowMs: windowMs,
      retryAfterSec: 1,
    },
  });
  h.agent.script = (r) => ({ steps: longRun(r.prompt), answer: `answer for ${r.prompt}` });
  h.reset();
  h.agent.script = (r) => ({ steps: longRun(r.prompt), answer: `answer for ${r.prompt}` });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => h.slash(`job-${i}`)));
  await h.fake.waitFor(
    () => h.fake.messages.filter((m) => m.text.startsWith("answer for")).length >= n,
    "all answers",
    600_000,
  );
  await h.fake.waitFor(
    () => h.cards().every((c) => /^Done/.test(h.fake.message(c.channel, c.ts)?.text ?? "")),
    "all final cards",
    600_000,
  );
  const elapsedMin = ((performance.now() - t0) * scale) / 60_000;
  const calls = h.fake.calls.filter((c) => c.method !== "auth.test");
  const limited = calls.filter((c) => c.outcome === "ratelimited");
  const byMethod = countByMethod(h);
  delete byMethod["auth.test"];
  // Busiest chat.update minute (in scaled time).
  const updates = calls.filter((c) => c.method === "chat.update" && c.outcome === "ok").map((c) => c.at);
  let busiest = 0;
  for (const t of updates) busiest = Math.max(busiest, updates.filter((u) => u >= t && u < t + windowMs).length);
  console.log(
    `${n} run(s) x 200 tool uses over 2 min: ${calls.length} Slack calls (${(calls.length / n).toFixed(1)} per run) in ${elapsedMin.toFixed(2)} min of Slack time; ` +
      `${(calls.length / elapsedMin).toFixed(0)} calls/min; 429s: ${limited.length} (${limited.map((c) => c.method).join(", ") || "none"}); ` +
      `busiest chat.update minute: ${busiest}; by method ${JSON.stringify(byMethod)}; answers ${h.fake.messages.filter((m) => m.text.startsWith("answer for")).length}/${n}`,
  );
  await h.stop();
}

/** Record when the agent emits each run's first tool use (keyed by prompt). */
function recordFirstTools(h: SlackHarness): Map<string, number> {
  const firstTool = new Map<string, number>();
  const execute = h.agent.execute.bind(h.agent);
  h.agent.execute = async function* (request, options) {
    for await (const event of execute(request, options)) {
      if (event.type === "tool_use" && !firstTool.has(request.prompt)) firstTool.set(request.prompt, Date.now());
      yield event;
    }
  };
  return firstTool;
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${(pct(s, 50) / 1000).toFixed(2)} s, p95 ${(pct(s, 95) / 1000).toFixed(2)} s, max ${(s.at(-1)! / 1000).toFixed(2)} s`;
}

/** A one-tool run (the tool then works for 5 s) with the default budgets in real time, one run at a time. */
async function firstToolVisible(n = 5): Promise<void> {
  const h = await SlackHarness.start({
    overrides: {
      progress: DefaultProgressOptions,
      worker: { pollMs: 50, leaseMs: 30_000, resolveWorkspace: () => ({ kind: "local", directory: process.cwd() }) },
      stopGraceMs: 2_000,
    },
  });
  const firstTool = recordFirstTools(h);
  h.agent.script = (r) => ({
    steps: [
      { sleepMs: 300 },
      { tool: "Bash", input: { command: "npm test" }, summary: `Ran tests of ${r.prompt}` },
      { sleepMs: 5_000 },
    ],
    answer: `answer for ${r.prompt}`,
  });
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    const prompt = `first-tool-${i}`;
    await h.slash(prompt);
    const shown = await h.fake.waitFor(
      () =>
        h.fake.calls.find(
          (c) =>
            c.method === "chat.update" &&
            c.outcome === "ok" &&
            JSON.stringify(c.params.blocks).includes(`Ran tests of ${prompt}`),
        ),
      `tool of ${prompt} on its card`,
      60_000,
    );
    const final = shown.params.text;
    delays.push(shown.at - firstTool.get(prompt)!);
    console.log(
      `  ${prompt}: tool shown after ${shown.at - firstTool.get(prompt)!} ms (edit says "${String(final).slice(0, 12)}…")`,
    );
    await h.fake.waitFor(() => h.fake.messages.some((m) => m.text === `answer for ${prompt}`), "answer", 60_000);
  }
  console.log(`first tool visible (${n} one-tool runs, one at a time, default budgets, real time): ${summary(delays)}`);
  await h.stop();
}

/** 50 runs at once that end in five bursts of ten, 30 s apart (real time; compressed by `scale`). */
async function finalsAfterAnswers(n = 50, burst = 10): Promise<void> {
  const windowMs = 60_000 / scale;
  const h = await harness({
    fake: {
      tiers: { "chat.update": 50 },
      channelTiers: { "chat.postMessage": 60 },
      tierWindowMs: windowMs,
      retryAfterSec: 1,
    },
  });
  h.agent.script = (r) => {
    const i = Number(/\d+$/.exec(r.prompt)![0]);
    const durationMs = (60_000 + Math.floor(i / burst) * 30_000 + (i % burst) * 100) / scale;
    const steps: Step[] = [];
    for (let t = 0; t < 30; t++) {
      steps.push({ tool: "Bash", input: { command: `step ${t}` }, summary: `step ${t} of ${r.prompt}` });
      steps.push({ sleepMs: durationMs / 30 });
    }
    return { steps, answer: `answer for ${r.prompt}` };
  };
  const before = h.cards().length;
  await Promise.all(Array.from({ length: n }, (_, i) => h.slash(`final-${i}`)));
  await h.fake.waitFor(() => h.cards().length >= before + n, "all cards", 600_000);
  const cards = h.cards().slice(before);
  await h.fake.waitFor(
    () => cards.every((c) => /^Done/.test(h.fake.message(c.channel, c.ts)?.text ?? "")),
    "all final cards",
    600_000,
  );
  const delays: number[] = [];
  for (const card of cards) {
    const prompt = /final-\d+/.exec(JSON.stringify(card.blocks))![0];
    const answer = h.fake.calls.find(
      (c) => c.method === "chat.postMessage" && c.outcome === "ok" && c.params.text === `answer for ${prompt}`,
    );
    const final = h.fake.calls.find(
      (c) =>
        c.method === "chat.update" &&
        c.outcome === "ok" &&
        c.params.ts === card.ts &&
        /^Done/.test(String(c.params.text)),
    );
    if (!answer || !final) throw new Error(`no answer or final card for ${prompt}`);
    delays.push((final.at - answer.at) * scale);
  }
  const limited = h.fake.calls.filter((c) => c.outcome === "ratelimited");
  console.log(
    `final card after the answer, ${n} runs at once ending in bursts of ${burst} every 30 s (Slack time): ${summary(delays)}; ` +
      `429s: ${limited.length} (${limited.map((c) => c.method).join(", ") || "none"}); chat.update calls ${h.fake.callsOf("chat.update").length}`,
  );
  await h.stop();
}

console.log(`node ${process.version}, scale 1/${scale}, progress defaults ${JSON.stringify(DefaultProgressOptions)}`);
if (only.has("ack")) await ackLatency();
if (only.has("runs")) {
  await runs(1);
  await runs(20);
}
if (only.has("first-tool")) await firstToolVisible();
if (only.has("finals")) await finalsAfterAnswers();
