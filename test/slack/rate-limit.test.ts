import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import type { Step } from "../support/slack-test-agent.js";

let h: SlackHarness;
beforeAll(async () => {
  // A workspace whose chat.update budget is tiny (12 per second) and answers 429 beyond it.
  h = await SlackHarness.start({
    fake: { tiers: { "chat.update": 12 }, tierWindowMs: 1_000, retryAfterSec: 1 },
    overrides: { progress: { cardIntervalMs: 20, updatesPerMinute: 3_000, burst: 30 } },
  });
});
afterAll(async () => {
  await h.stop();
});

describe("a 429 storm", () => {
  it("loses no answer and no final card, and merges rate-limited progress into later edits", async () => {
    const runs = 6;
    const tools = 40;
    h.agent.script = (r) => {
      const steps: Step[] = [];
      for (let i = 0; i < tools; i++) {
        steps.push({ tool: "Bash", input: { command: `step ${i}` }, summary: `Ran step ${i} of ${r.prompt}` });
        if (i % 5 === 0) steps.push({ sleepMs: 15 });
      }
      return { steps, answer: `answer for ${r.prompt}` };
    };
    // Answers and cards also meet 429s: the reliable client waits Retry-After and tries again.
    h.fake.fail("chat.postMessage", "ratelimited", { count: 3, retryAfterSec: 1 });
    const before = h.cards().length;
    await Promise.all(Array.from({ length: runs }, (_, i) => h.slash(`job-${i}`)));
    await h.fake.waitFor(() => h.cards().length >= before + runs, "all cards", 30_000);

    for (const card of h.cards().slice(before)) {
      const prompt = /job-\d+/.exec(blocksText(card))![0];
      await h.waitInThread(card.ts, (m) => m.text === `answer for ${prompt}`, `answer of ${prompt}`);
      const final = await h.fake.waitFor(
        () => {
          const m = h.fake.message(Channel, card.ts);
          return m && /^Done/.test(m.text) ? m : undefined;
        },
        `final card of ${prompt}`,
        30_000,
      );
      expect(blocksText(final)).toContain(`${tools} tool uses`);
      expect(blocksText(final)).toContain(`Ran step ${tools - 1} of ${prompt}`);
      expect(h.fake.thread(Channel, card.ts).filter((m) => m.text.startsWith("answer for")).length).toBe(1);
    }
    const limited = h.fake.calls.filter((c) => c.outcome === "ratelimited");
    expect(limited.length).toBeGreaterThan(3);
    // Progress edits were coalesced: far fewer edits than tool uses.
    expect(h.fake.callsOf("chat.update").length).toBeLessThan(runs * tools);
    expect(h.fake.violations).toEqual([]);
  });
});
