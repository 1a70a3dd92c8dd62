import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, type OpenCodeHarness, request, startHarness } from "../support/opencode-harness.js";

/**
 * CODETHREAD_MAX_COST_USD with the real `opencode serve`: its step costs arrive in its events
 * (the mock model costs $1 / $2 per million input / output tokens, 100 + 20 tokens a step:
 * $0.00014 a step); once they reach the budget the run is aborted and ends `budget_exceeded`,
 * and the session goes on with the next turn.
 */
describe("opencode: a run's cost budget", () => {
  let h: OpenCodeHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("stops the run once its step costs reach the budget; a next turn continues the session", async () => {
    const dir = h.sandbox.project("budget");
    // Without a budget this would run 30 tool steps.
    h.mock.script = (turn) =>
      turn.step < 30 ? { tool: { kind: "shell", command: `echo step-${turn.step}` } } : { text: "All steps done." };
    const before = h.mock.requests.length;
    const run = await collect(h.agent.execute(request("count the steps", dir, { maxCostUsd: 0.0004 })));
    const steps = h.mock.requests.length - before;

    expect(run.result).toMatchObject({
      outcome: "budget_exceeded",
      errorCode: "budget_exceeded",
      error: "Stopped: budget of $0.0004 reached — reply to continue.",
    });
    expect(run.result.costUsd).toBeGreaterThanOrEqual(0.0004);
    // The cost so far came as it grew, step by step, and passed the budget.
    const costs = run.of("cost").map((c) => c.costUsd);
    expect(costs.length).toBeGreaterThanOrEqual(3);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
    expect(costs.at(-1)).toBeGreaterThanOrEqual(0.0004);
    expect(steps).toBeLessThan(10);
    expect(run.text).not.toContain("All steps done.");

    h.mock.script = undefined;
    const next = await collect(
      h.agent.execute(request("what did I ask? MOCK:recall", dir, { sessionId: run.result.sessionId })),
    );
    expect(next.result).toMatchObject({ outcome: "succeeded", sessionId: run.result.sessionId });
    expect(next.result.text).toContain("count the steps");
  });
});
