import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Alice, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * Slack refusing the bot's messages, seen from the user: every answer and every final card
 * reaches someone, and the requester hears about a thread that refused for good.
 */
let h: SlackHarness;
beforeAll(async () => {
  h = await SlackHarness.start({ overrides: { slackRetry: { baseDelayMs: 20, maxDelayMs: 100 } } });
});
beforeEach(() => h.reset());
afterAll(async () => {
  await h.stop();
});

const isAnswer = (text: string) => (p: Record<string, unknown>) => p.text === text && typeof p.thread_ts === "string";
const final = (ts: string) => h.waitForText(ts, /^Done/);

/** `/agent <prompt>` whose agent answers `answer`; resolves with the card. */
async function slashRun(prompt: string, answer: string) {
  h.agent.script = () => ({ steps: [{ tool: "Bash", summary: "Ran npm test" }], answer });
  const before = h.cards().length;
  await h.slash(prompt);
  return h.waitForCard(before + 1);
}

describe("Slack refusing answers and final cards", () => {
  it("delivers an answer refused with ratelimited (HTTP 200) after Retry-After, and ends the card", async () => {
    h.fake.fault(
      "chat.postMessage",
      { error: "ratelimited", retryAfterSec: 1 },
      { when: isAnswer("answer after a rate limit") },
    );
    const card = await slashRun("fix the build", "answer after a rate limit");
    await h.waitInThread(card.ts, (m) => m.text === "answer after a rate limit", "the answer");
    const done = await final(card.ts);
    expect(blocksText(done)).not.toContain("run_cancel");
    const tries = h.fake.callsOf("chat.postMessage").filter((c) => c.params.text === "answer after a rate limit");
    expect(tries.map((c) => c.outcome)).toEqual(["ratelimited", "ok"]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(h.fake.thread(Channel, card.ts).filter((m) => m.text === "answer after a rate limit").length).toBe(1);
  });

  it("retries an answer Slack answers with HTTP 500 and HTTP 429", async () => {
    h.fake.fault("chat.postMessage", { status: 500 }, { count: 2, when: isAnswer("answer after errors") });
    h.fake.fault(
      "chat.postMessage",
      { error: "ratelimited", status: 429, retryAfterSec: 1 },
      { when: isAnswer("answer after errors") },
    );
    const card = await slashRun("bump deps", "answer after errors");
    await h.waitInThread(card.ts, (m) => m.text === "answer after errors", "the answer");
    await final(card.ts);
    const tries = h.fake.callsOf("chat.postMessage").filter((c) => c.params.text === "answer after errors");
    expect(tries.map((c) => c.outcome)).toEqual(["http_500", "http_500", "ratelimited", "ok"]);
  });

  it("gives the answer through the slash command's response_url when the thread says not_in_channel", async () => {
    h.fake.fault("chat.postMessage", { error: "not_in_channel" }, { count: 99, when: isAnswer("the private answer") });
    const card = await slashRun("explain the flaky test", "the private answer");
    const response = await h.fake.waitFor(() => h.fake.responses[0], "a response_url post");
    expect(response.body.response_type).toBe("ephemeral");
    expect(JSON.stringify(response.body.blocks)).toContain("the private answer");
    expect(JSON.stringify(response.body.blocks)).toContain("I couldn't post the answer of your run");
    expect(JSON.stringify(response.body.blocks)).toContain("/invite @codethread");
    const done = await final(card.ts);
    expect(blocksText(done)).toContain("could not be posted in this thread");
    expect(blocksText(done)).toContain("shown privately to the person who asked");
    expect(blocksText(done)).not.toContain("run_cancel");
    expect(h.fake.callsOf("conversations.open")).toEqual([]);
    expect(h.fake.thread(Channel, card.ts).some((m) => m.text === "the private answer")).toBe(false);
  });

  it("sends the answer by DM when the run has no response_url (a mention)", async () => {
    h.agent.script = () => ({ steps: [], answer: "the answer by DM" });
    h.fake.fault("chat.postMessage", { error: "channel_not_found" }, { count: 99, when: isAnswer("the answer by DM") });
    const ts = nextTs();
    await h.event("event.app_mention.json", {
      text: "<@U0AGENTBOT> update the changelog",
      ts,
      user: Alice,
      channel: Channel,
    });
    const open = await h.fake.waitForCall("conversations.open");
    expect(open.params.users).toBe(Alice);
    const dm = await h.fake.waitFor(
      () => h.fake.messages.find((m) => m.channel.startsWith("D") && m.text === "the answer by DM"),
      "the answer in a DM",
    );
    expect(JSON.stringify(dm.blocks)).toContain(`I couldn't post the answer of your run in <#${Channel}>`);
    const card = await h.waitInThread(ts, (m) => m.ts !== ts && m.user === h.fake.botUserId, "the card");
    const done = await final(card.ts);
    expect(blocksText(done)).toContain("sent to the person who asked as a direct message");
    expect(h.fake.responses).toEqual([]);
  });

  it("falls back to a DM when the response_url has expired too", async () => {
    h.fake.fault("chat.postMessage", { error: "is_archived" }, { count: 99, when: isAnswer("answer, archived") });
    h.fake.fault("response_url", { error: "expired_url", status: 404 }, { count: 99 });
    const card = await slashRun("tidy up", "answer, archived");
    await h.fake.waitFor(
      () => h.fake.messages.find((m) => m.channel.startsWith("D") && m.text === "answer, archived"),
      "the answer in a DM",
    );
    expect(h.fake.callsOf("response_url").map((c) => c.outcome)).toEqual(["expired_url"]);
    expect(blocksText(await final(card.ts))).toContain("as a direct message");
  });

  it("ends the card without its Cancel button when the final chat.update is rate limited", async () => {
    const isFinal = (p: Record<string, unknown>) => /^Done/.test(String(p.text));
    h.fake.fault("chat.update", { error: "ratelimited", retryAfterSec: 1 }, { when: isFinal });
    h.fake.fault("chat.update", { error: "ratelimited", status: 429, retryAfterSec: 1 }, { when: isFinal });
    const card = await slashRun("ship it", "shipped");
    const done = await final(card.ts);
    expect(blocksText(done)).not.toContain("run_cancel");
    const finals = h.fake.callsOf("chat.update").filter((c) => c.params.ts === card.ts && isFinal(c.params));
    expect(finals.map((c) => c.outcome)).toEqual(["ratelimited", "ratelimited", "ok"]);
  });
});
