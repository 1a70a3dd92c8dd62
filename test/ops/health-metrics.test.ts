import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    expect(text).toMatch(/^codethread_agent_available\{provider="/m);
    expect(text).toContain("# TYPE codethread_queue_jobs gauge");
    expect(text).toMatch(/^codethread_process_resident_memory_bytes /m);
  });
});
