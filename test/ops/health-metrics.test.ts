import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProjectHarness } from "../support/project-harness.js";
import { SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
let base: string;
beforeAll(async () => {
  h = await SlackHarness.start();
  base = new URL(h.app.url ?? "").origin;
});
afterAll(async () => {
  await h.stop();
});

/** The value of one series in Prometheus' text format, or undefined. */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf("}"));
    if (want.every((w) => inner.split(",").includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("health, readiness and metrics on the bot's HTTP port", () => {
  it("/healthz answers while the process lives; /readyz checks the database, Slack and the agents", async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: [
        { name: "database", ok: true },
        { name: "slack", ok: true },
        { name: "agents", ok: true },
      ],
    });
  });

  it("/metrics shows the run by provider and outcome, Slack calls by method, queue depth and process metrics after a run", async () => {
    h.agent.script = () => ({
      steps: [{ tool: "Bash", input: { command: "npm test" }, summary: "Ran npm test" }],
      answer: "All green.",
      costUsd: 0.01,
    });
    await h.slash("run the tests");
    const card = await h.waitForCard(1);
    await h.waitInThread(card.ts, (m) => m.text.includes("All green"), "the answer");
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    await expect
      .poll(async () =>
        series(await (await fetch(`${base}/metrics`)).text(), "codethread_runs_total", { outcome: "succeeded" }),
      )
      .toBe(1);
    expect(series(text, "codethread_slack_calls_total", { method: "chat.postMessage", outcome: "ok" })).toBeGreaterThan(
      0,
    );
    expect(text).toMatch(/^codethread_run_duration_seconds_count\{/m);
    // The slash command's HTTP answer, given by the bot or (its loop busy) by the Slack front.
    const answered = ["bot", "front"].map((by) => series(text, "codethread_slack_answer_seconds_count", { by }) ?? 0);
    expect(answered[0]! + answered[1]!).toBe(1);
    // The wait from enqueue to claim, observed once for this run.
    expect(series(text, "codethread_queue_wait_seconds_count", { kind: "agent_run" })).toBe(1);
    expect(series(text, "codethread_agent_available", { provider: h.agent.id })).toBe(1);
    expect(text).toContain("# TYPE codethread_queue_jobs gauge");
    expect(text).toMatch(/^codethread_process_resident_memory_bytes /m);
  });
});

describe("project metrics on a bot with Gitea and Woodpecker", () => {
  let p: ProjectHarness;
  beforeAll(async () => {
    p = await ProjectHarness.start();
  });
  afterAll(async () => {
    await p.stop();
  });
  const scrape = async () => (await fetch(`${new URL(p.h.app.url ?? "").origin}/metrics`)).text();

  it("/metrics counts provisioning and build outcomes, and their queue waits, after they ran", async () => {
    // Nothing provisioned or built yet: no series (a counter appears with its first label set).
    expect(await scrape()).not.toMatch(/^codethread_project_jobs_total\{/m);
    await p.slash("project new demo --template node");
    const card = await p.card(1);
    await p.inThread(card.ts, /First build of \*demo\*/);
    await p.slash("build demo");
    const built = await p.card(2);
    await p.inThread(built.ts, /pipeline <[^|]+\|#\d+> passed/);
    p.world!.wp.outcome = { status: "failure", step: "test", log: ["not ok 1 - greets"] };
    await p.slash("build demo");
    const failed = await p.card(3);
    await p.inThread(failed.ts, /failure at step/);

    // The result is posted before the outcome is recorded: poll for the counters.
    await expect
      .poll(async () => series(await scrape(), "codethread_project_jobs_total", { kind: "build", outcome: "failed" }))
      .toBe(1);
    const text = await scrape();
    expect(series(text, "codethread_project_jobs_total", { kind: "provision", outcome: "succeeded" })).toBe(1);
    expect(series(text, "codethread_project_jobs_total", { kind: "build", outcome: "succeeded" })).toBe(1);
    expect(series(text, "codethread_queue_wait_seconds_count", { kind: "provision" })).toBe(1);
    expect(series(text, "codethread_queue_wait_seconds_count", { kind: "build" })).toBe(2);
  });
});
