import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocksText, Channel, SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
beforeAll(async () => {
  h = await SlackHarness.start();
});
afterAll(async () => {
  await h.stop();
});

describe("shutdown during a run", () => {
  it("tells the thread the run was interrupted and marks the card", async () => {
    h.agent.script = () => ({
      steps: [
        { tool: "Bash", input: { command: "make" }, summary: "Ran make" },
        { wait: new Promise(() => undefined) },
      ],
    });
    await h.slash("compile the world");
    const card = await h.waitForCard();
    await h.fake.waitFor(
      () => blocksText(h.fake.message(Channel, card.ts)).includes("Ran make"),
      "the tool on the card",
    );

    await h.app.stop();
    const notice = await h.waitInThread(card.ts, (m) => /interrupted/.test(m.text), "the interruption notice");
    expect(notice.text).toContain("reply in this thread to continue");
    const final = h.fake.message(Channel, card.ts)!;
    expect(final.text).toMatch(/^Interrupted/);
    expect(blocksText(final)).not.toContain("run_cancel");
  });
});
