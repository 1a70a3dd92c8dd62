import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocksText, Channel, SlackHarness } from "../support/slack-harness.js";

/** A Slack that stops answering must not stop the bot: one worker slot, and its run's card edits hang. */
let h: SlackHarness;
beforeAll(async () => {
  h = await SlackHarness.start({
    overrides: {
      worker: {
        pollMs: 50,
        leaseMs: 5_000,
        concurrency: 1,
        resolveWorkspace: () => ({ kind: "local", directory: process.cwd() }),
      },
    },
  });
});
afterAll(async () => {
  await h.stop();
});

describe("a hanging chat.update", () => {
  it("holds no worker slot: the next job runs and answers while the card's edits hang, and the card still ends", async () => {
    let release!: () => void;
    let finish!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const end = new Promise<void>((r) => (finish = r));
    h.agent.script = (r) =>
      r.prompt === "first"
        ? {
            steps: [
              { tool: "Bash", summary: "Ran npm test" },
              { wait: gate },
              { tool: "Bash", summary: "Ran npm run lint" },
              { wait: end },
            ],
            answer: "first answer",
          }
        : { steps: [], answer: "second answer" };
    await h.slash("first");
    const first = await h.waitForCard(1);
    await h.fake.waitFor(
      () => blocksText(h.fake.message(Channel, first.ts)).includes("Ran npm test"),
      "the first tool",
    );
    // From now on every edit of the first card hangs (longer than this test).
    h.fake.fault("chat.update", { hangMs: 120_000 }, { count: 50, when: (p) => p.ts === first.ts });
    release();
    // A progress edit is on the wire, and hangs, when the run ends.
    await h.fake.waitForCall(
      "chat.update",
      (c) =>
        c.params.ts === first.ts && c.outcome === "pending" && JSON.stringify(c.params.blocks).includes("npm run lint"),
      "hung progress edit",
    );
    finish();
    await h.waitInThread(first.ts, (m) => m.text === "first answer", "the first answer");

    await h.slash("second");
    const second = await h.waitForCard(2);
    await h.waitInThread(second.ts, (m) => m.text === "second answer", "the second answer (same single worker)");
    await h.waitForText(second.ts, /^Done/);
    // The first card's edits are still held by Slack: the worker did not wait for them.
    expect(h.fake.message(Channel, first.ts)?.text).toMatch(/^Running/);

    // Slack answers again: the card shows its end, without Cancel.
    h.fake.clearFailures();
    h.fake.releaseHangs();
    const done = await h.waitForText(first.ts, /^Done/);
    expect(blocksText(done)).not.toContain("run_cancel");
    expect(blocksText(done)).toContain("Ran npm run lint");
  });
});
