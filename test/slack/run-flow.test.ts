import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Alice, Bob, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

let h: SlackHarness;
beforeAll(async () => {
  h = await SlackHarness.start();
});
beforeEach(() => h.reset());
afterAll(async () => {
  await h.stop();
});

describe("/agent run flow", () => {
  it("acknowledges at once, posts a live card with tool summaries, then the answer in the thread", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.agent.script = () => ({
      steps: [
        { tool: "Bash", input: { command: "npm test" }, summary: "Ran npm test", ok: false },
        { tool: "Edit", input: { file_path: "src/build.ts" }, summary: "Edited src/build.ts" },
        { wait: gate },
      ],
      answer: "Fixed the build: a missing import in `src/build.ts`.",
      costUsd: 0.0342,
    });
    const before = h.cards().length;
    const ack = await h.slash("fix the build");
    expect(ack.status).toBe(200);
    expect(ack.text).toBe("");

    const card = await h.waitForCard(before + 1);
    expect(blocksText(card)).toContain(`<@${Alice}> asked`);
    expect(blocksText(card)).toContain("fix the build");
    expect(blocksText(card)).toContain("run_cancel");
    await h.fake.waitFor(
      () => /✓ Edited src\/build.ts/.test(blocksText(h.fake.message(Channel, card.ts))),
      "tool summaries on the card",
    );
    const live = blocksText(h.fake.message(Channel, card.ts));
    expect(live).toContain("✗ Ran npm test");
    expect(live).toContain("1 command run");
    expect(live).toContain("1 file changed");
    expect(live).toContain("scripted");
    release();

    const answer = await h.waitInThread(
      card.ts,
      (m) => m.ts !== card.ts && m.text.startsWith("Fixed the build"),
      "the answer",
    );
    expect(blocksText(answer)).toContain("Reply in this thread to continue");
    expect(blocksText(answer)).toContain("$0.03");
    const final = await h.waitForText(card.ts, /^Done/);
    expect(blocksText(final)).not.toContain("run_cancel");
    expect(h.fake.violations).toEqual([]);
    expect(h.fake.responses).toEqual([]);
  });

  it("continues the same agent session when someone replies in the thread", async () => {
    h.agent.script = (r) => ({ steps: [], answer: `answer to: ${r.prompt}` });
    const before = h.cards().length;
    await h.slash("write a test");
    const card = await h.waitForCard(before + 1);
    await h.waitInThread(card.ts, (m) => m.text === "answer to: write a test", "first answer");

    await h.event("event.message.thread_reply.json", {
      text: "now run it",
      ts: nextTs(),
      thread_ts: card.ts,
      user: Alice,
      channel: Channel,
    });
    await h.waitInThread(card.ts, (m) => m.text === "answer to: now run it", "second answer");
    expect(h.agent.requests.map((r) => r.sessionId)).toEqual([undefined, h.agent.sessions[0]]);
    expect(h.agent.sessions[1]).toBe(h.agent.sessions[0]);
  });

  it("queues a reply sent during a run, says so, and runs it next", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.agent.script = (r) =>
      r.prompt === "long job" ? { steps: [{ wait: gate }], answer: "long done" } : { steps: [], answer: "short done" };
    const before = h.cards().length;
    await h.slash("long job");
    const card = await h.waitForCard(before + 1);
    await h.waitForText(card.ts, /^Running/);

    await h.event("event.message.thread_reply.json", {
      text: "and then this",
      ts: nextTs(),
      thread_ts: card.ts,
      user: Bob,
      channel: Channel,
    });
    const queued = await h.waitInThread(
      card.ts,
      (m) => blocksText(m).includes("and then this"),
      "the queued run's card",
    );
    expect(queued.text).toMatch(/^Queued/);
    expect(blocksText(queued)).toContain("starts when it finishes");
    expect(h.agent.requests.length).toBe(1);

    release();
    await h.waitInThread(card.ts, (m) => m.text === "short done", "the queued run's answer");
    const texts = h.fake.thread(Channel, card.ts).map((m) => m.text);
    expect(texts.indexOf("long done")).toBeLessThan(texts.indexOf("short done"));
    await h.waitForText(queued.ts, /^Done/);
  });

  it("starts a run from a mention inside a discussion, with the earlier messages as context", async () => {
    const root = h.fake.addMessage({
      channel: Channel,
      user: Bob,
      ts: "1767225000.000100",
      text: "the deploy fails with ENOSPC on the runner",
    });
    h.fake.addMessage({
      channel: Channel,
      user: Alice,
      ts: "1767225001.000100",
      threadTs: root.ts,
      text: "probably the docker cache",
    });
    h.agent.script = () => ({ steps: [], answer: "Pruned the cache." });
    await h.event("event.app_mention.json", {
      text: "<@U0AGENTBOT> fix what Bob described above",
      ts: nextTs(),
      thread_ts: root.ts,
      user: Alice,
      channel: Channel,
    });
    await h.waitInThread(root.ts, (m) => m.text === "Pruned the cache.", "the answer in the discussion thread");
    const request = h.agent.requests[0]!;
    expect(request.prompt).toContain("fix what Bob described above");
    expect(request.prompt).toContain("@bob: the deploy fails with ENOSPC on the runner");
    expect(request.prompt).toContain("@alice: probably the docker cache");
  });

  it("answers help and explains an empty prompt, an unknown agent and a channel it cannot post in", async () => {
    const help = await h.slash("help");
    expect(help.text).toContain("ephemeral");
    expect(help.text).toContain("/agent status");
    const empty = await h.slash("agent=scripted");
    expect(empty.text).toContain("Tell the agent what to do");

    await h.slash("agent=gpt9 do things");
    await h.fake.waitFor(
      () => h.fake.responses.find((r) => String(r.body.text).includes("Unknown agent `gpt9`")),
      "unknown agent reply",
    );

    h.fake.fail("chat.postMessage", "not_in_channel");
    await h.slash("fix the build", { channel_id: "C0PRIVATE1" });
    await h.fake.waitFor(
      () => h.fake.responses.find((r) => String(r.body.text).includes("/invite @codethread")),
      "not_in_channel reply",
    );
    expect(h.agent.requests).toEqual([]);

    await h.slash("status");
    const status = await h.fake.waitFor(
      () => h.fake.responses.find((r) => String(r.body.text).includes("*Agents*")),
      "status reply",
    );
    expect(String(status.body.text)).toContain("scripted 1.0");
  });
});
