import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { Secret } from "../../src/secret.js";
import { systemClock } from "../../src/slack/clock.js";
import { ProgressEditor } from "../../src/slack/progress-editor.js";
import { SlackPublisher } from "../../src/slack/publisher.js";
import { createWebClient, WebSlackApi } from "../../src/slack/slack-api.js";
import type { RunInfo } from "../../src/worker/publisher.js";
import { FakeSlack } from "../support/fake-slack.js";

/** When card edits go out: the leading edge of a run, coalescing after it, final cards ahead of progress. */
let fake: FakeSlack;
beforeEach(async () => {
  fake = await new FakeSlack().start();
});
afterEach(async () => {
  await fake.stop();
});

const api = () =>
  new WebSlackApi(createWebClient({ token: new Secret("xoxb-test"), apiUrl: fake.apiUrl, kind: "progress" }));

function run(prompt: string): RunInfo {
  const root = fake.addMessage({ channel: "C0BUILDS1", user: "U0AGENTBOT", text: "card" });
  return {
    jobId: `job-${root.ts}`,
    threadKey: `T0AGENT01:C0BUILDS1:${root.ts}`,
    provider: "scripted",
    startedAt: new Date(),
    payload: {
      teamId: "T0AGENT01",
      channelId: "C0BUILDS1",
      threadTs: root.ts,
      userId: "U0ALICE01",
      prompt,
      cardTs: root.ts,
      source: "slash",
    },
  };
}

const cardBlocks = (ts: string) => JSON.stringify(fake.message("C0BUILDS1", ts)?.blocks ?? "");

describe("card edits", () => {
  it("shows a run's first tool use at once, then coalesces the next ones into the card's interval", async () => {
    // A card interval of a minute: only the leading edge can show the first tool while the run is live.
    const publisher = new SlackPublisher({
      progress: api(),
      reliable: api(),
      log: silentLogger,
      progressOptions: { cardIntervalMs: 60_000, updatesPerMinute: 600, burst: 20 },
    });
    const r = run("fix the build");
    await publisher.runStarted(r);
    await publisher.runEvent(r, {
      type: "tool_use",
      id: "t1",
      tool: "Bash",
      kind: "shell",
      input: {},
      summary: "Ran npm test",
    });
    await fake.waitFor(() => cardBlocks(r.payload.threadTs).includes("Ran npm test"), "the first tool on the card");
    expect(fake.message("C0BUILDS1", r.payload.threadTs)?.text).toMatch(/^Running/);

    for (let i = 2; i <= 5; i++) {
      await publisher.runEvent(r, {
        type: "tool_use",
        id: `t${i}`,
        tool: "Bash",
        kind: "shell",
        input: {},
        summary: `Ran step ${i}`,
      });
    }
    await publisher.runFinished(r, { outcome: "succeeded", text: "ok", durationMs: 10 }, {});
    await publisher.idle();
    expect(cardBlocks(r.payload.threadTs)).toContain("Ran step 5");
    // Start + first tool (possibly merged) + the final card: the four later tools did not each get an edit.
    expect(fake.callsOf("chat.update").length).toBeLessThanOrEqual(3);
    await publisher.close();
  });

  it("gives final cards the budget's reserve, ahead of progress edits waiting for it", async () => {
    // One token a minute, four in the bucket, two of them kept for final cards.
    const editor = new ProgressEditor(api(), systemClock, silentLogger, {
      cardIntervalMs: 10,
      updatesPerMinute: 1,
      burst: 4,
      finalReserve: 2,
    });
    const cards = Array.from({ length: 6 }, () =>
      fake.addMessage({ channel: "C0BUILDS1", user: "U0AGENTBOT", text: "card" }),
    );
    for (const [i, c] of cards.entries()) {
      editor.touch(
        `card-${i}`,
        {
          teamId: "T0AGENT01",
          channel: "C0BUILDS1",
          ts: c.ts,
          render: () => ({ text: `Running ${i}`, blocks: [] }),
        },
        true,
      );
    }
    await fake.waitFor(() => fake.callsOf("chat.update").filter((x) => x.outcome === "ok").length === 2, "two edits");
    const done = [cards[4]!, cards[5]!].map((c) =>
      editor.finalEdit("T0AGENT01", () => api().update({ channel: "C0BUILDS1", ts: c.ts, text: "Done", blocks: [] })),
    );
    await Promise.all(done);
    expect(fake.message("C0BUILDS1", cards[4]!.ts)?.text).toBe("Done");
    expect(fake.message("C0BUILDS1", cards[5]!.ts)?.text).toBe("Done");
    // The other progress edits are still waiting for tokens: 2 progress + 2 final edits in all.
    expect(fake.callsOf("chat.update").map((c) => c.params.text)).toEqual(["Running 0", "Running 1", "Done", "Done"]);
    editor.stop();
  });
});
