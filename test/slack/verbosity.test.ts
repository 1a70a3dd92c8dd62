import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getChannelSettings } from "../../src/store/channel-settings.js";
import { blocksText, SlackHarness } from "../support/slack-harness.js";
import type { Step } from "../support/slack-test-agent.js";

/**
 * `/agent quiet` and `/agent verbose`: the same scripted run, once in each mode, through the real
 * Bolt app; what the card shows and how many Slack calls it costs.
 */
let h: SlackHarness;
const Quiet = "C0QUIET001";
const Loud = "C0VERBOSE1";
const Team = "T0AGENT01";

beforeAll(async () => {
  h = await SlackHarness.start();
});
beforeEach(() => h.reset());
afterAll(async () => {
  await h.stop();
});

/** Five tool uses, each well past the card's edit interval (50 ms in the harness) after the last. */
const fiveTools: Step[] = [1, 2, 3, 4, 5].flatMap((n) => [
  { tool: "Bash", input: { command: `step ${n}` }, summary: `Ran step ${n}` },
  { sleepMs: 150 },
]);

/** The private answer of a slash command (commands that touch the database answer after the ack). */
async function slashAnswer(text: string, channel: string): Promise<string> {
  const id = `cmd-${Math.random().toString(36).slice(2)}`;
  await h.slash(text, { channel_id: channel, response_url: h.fake.responseUrl(id) });
  const r = await h.fake.waitFor(() => h.fake.responses.find((x) => x.path.endsWith(id)), `the answer to ${text}`);
  return String(r.body.text);
}

async function runIn(channel: string, prompt: string) {
  const before = h.cards(channel).length;
  await h.slash(prompt, { channel_id: channel });
  const card = await h.waitForCard(before + 1, channel);
  const final = await h.fake.waitFor(() => {
    const m = h.fake.message(channel, card.ts);
    return m && /^(Done|Failed)/.test(m.text) ? m : undefined;
  }, "the final card");
  // Every edit of this card, including the final one.
  const edits = h.fake.callsOf("chat.update").filter((c) => c.params.ts === card.ts && c.params.channel === channel);
  return { card, final, edits: edits.length };
}

describe("quiet and verbose run cards", () => {
  it("are set per channel; a quiet card shows counts only and costs fewer Slack calls", async () => {
    const quiet = await slashAnswer("quiet", Quiet);
    expect(quiet).toContain(`In <#${Quiet}>, run cards here now show their status, elapsed time and counts only`);
    expect((await getChannelSettings(h.app.db, { teamId: Team, channelId: Quiet })).verbosity).toBe("quiet");
    expect((await getChannelSettings(h.app.db, { teamId: Team, channelId: Loud })).verbosity).toBe("verbose");

    h.agent.script = () => ({ steps: fiveTools, answer: "All five done." });
    const q = await runIn(Quiet, "do the five steps");
    h.agent.script = () => ({ steps: fiveTools, answer: "All five done." });
    const v = await runIn(Loud, "do the five steps");

    expect(blocksText(q.final)).toContain("5 tool uses");
    expect(blocksText(q.final)).toContain("5 commands run");
    expect(blocksText(q.final)).not.toContain("Ran step");
    expect(blocksText(v.final)).toContain("Ran step 5");
    expect(blocksText(v.final)).toContain("5 tool uses");
    // Quiet: the start and the end. Verbose: those plus the tool uses as they come.
    expect(q.edits).toBeLessThanOrEqual(2);
    expect(v.edits).toBeGreaterThanOrEqual(q.edits + 3);
    // Both answer in the thread the same way.
    for (const r of [q, v]) {
      await h.fake.waitFor(
        () => h.fake.thread(r.card.channel, r.card.ts).find((m) => m.text === "All five done."),
        "the answer",
      );
    }
  });

  it("keeps errors loud on a quiet card", async () => {
    await slashAnswer("quiet", Quiet);
    h.agent.script = () => ({
      steps: [{ tool: "Bash", summary: "Ran make" }],
      error: { message: "the model API refused the request (HTTP 529)", code: "api_error" },
    });
    const q = await runIn(Quiet, "compile it");
    expect(q.final.text).toMatch(/^Failed/);
    expect(blocksText(q.final)).toContain("the model API refused the request (HTTP 529)");
    const answer = await h.fake.waitFor(
      () => h.fake.thread(Quiet, q.card.ts).find((m) => m.ts !== q.card.ts && blocksText(m).includes("What happened")),
      "the failure in the thread",
    );
    expect(blocksText(answer)).toContain("HTTP 529");
  });

  it("still shows a quiet card's approvals, and clears them once answered", async () => {
    await slashAnswer("quiet", Quiet);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h.agent.script = () => ({
      steps: [
        { ask: "Bash", summary: "Run rm -rf dist/" },
        { tool: "Bash", summary: "Ran rm -rf dist/" },
        { wait: gate },
      ],
      answer: "Removed.",
    });
    const before = h.cards(Quiet).length;
    await h.slash("clean dist", { channel_id: Quiet });
    const card = await h.waitForCard(before + 1, Quiet);
    const waiting = await h.fake.waitFor(() => {
      const m = h.fake.message(Quiet, card.ts);
      return m && blocksText(m).includes("Waiting for approval") ? m : undefined;
    }, "the approval on the quiet card");
    expect(blocksText(waiting)).toContain("Run rm -rf dist/");
    const question = await h.fake.waitFor(
      () => h.fake.thread(Quiet, card.ts).find((m) => blocksText(m).includes("permission_approve")),
      "the approval request",
    );
    const value = /"value":"([^"]+)"/.exec(blocksText(question))![1]!;
    await h.click({
      userId: "U0ALICE01",
      channel: Quiet,
      messageTs: question.ts,
      threadTs: card.ts,
      actionId: "permission_approve",
      value,
      text: question.text,
    });
    const running = await h.fake.waitFor(() => {
      const m = h.fake.message(Quiet, card.ts);
      return m && /^Running/.test(m.text) && !blocksText(m).includes("Waiting for approval") ? m : undefined;
    }, "the quiet card without the answered approval");
    expect(blocksText(running)).not.toContain("Ran rm -rf dist/");
    release();
    await h.fake.waitFor(() => /^Done/.test(h.fake.message(Quiet, card.ts)?.text ?? ""), "the end");
  });

  it("`/agent verbose` switches a channel back", async () => {
    await slashAnswer("quiet", Quiet);
    const verbose = await slashAnswer("verbose", Quiet);
    expect(verbose).toContain("run cards here now show each tool the agent uses");
    h.agent.script = () => ({ steps: fiveTools.slice(0, 2), answer: "One step." });
    const r = await runIn(Quiet, "one step");
    expect(blocksText(r.final)).toContain("Ran step 1");
  });
});
