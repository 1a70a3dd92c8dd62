import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { threadKey } from "../../src/store/thread-key.js";
import { getThreadSession } from "../../src/store/thread-sessions.js";
import { promptTexts } from "../claude/harness.js";
import type { StoredMessage } from "../support/fake-slack.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import { type RealClaudeSlack, startRealClaudeSlack } from "../support/real-claude-slack.js";
import { Alice, blocksText, Channel, type SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * One flow end to end with nothing scripted between Slack and the model: signed Slack
 * requests → the real Bolt app → queue → worker → the real `claude` CLI → the mock
 * Anthropic API on 127.0.0.1 → run card, answer and a resumed second turn in Slack.
 */
let mock: MockAnthropic;
let h: SlackHarness;
/** The real CLI takes seconds per turn on a loaded 2-core machine: wait generously (no timing asserted). */
const Patience = 90_000;
const TeamId = "T0AGENT01";
const inThread = (ts: string, pred: (m: StoredMessage) => boolean, what: string) =>
  h.fake.waitFor(() => h.fake.thread(Channel, ts).find(pred), what, Patience);

let env: RealClaudeSlack | undefined;
beforeAll(async () => {
  env = await startRealClaudeSlack();
  ({ mock, h } = env);
});
afterAll(async () => {
  await env?.stop();
});

describe("Slack → real Claude Code CLI → mock LLM", () => {
  it("runs a tool, shows its summary on the card, answers, and resumes the session on a thread reply", async () => {
    const ack = await h.slash("MOCK:bash list the files please");
    expect(ack.status).toBe(200);
    const card = await h.waitForCard();
    expect(blocksText(card)).toContain("list the files please");

    const answer = await inThread(
      card.ts,
      (m) => m.ts !== card.ts && /Done\. Tool said/.test(m.text),
      "the agent's answer",
    );
    expect(blocksText(answer)).toContain("Reply in this thread to continue");
    const final = await h.fake.waitFor(
      () => {
        const m = h.fake.message(Channel, card.ts);
        return m && /^Done/.test(m.text) ? m : undefined;
      },
      "the card's final state",
      Patience,
    );
    expect(blocksText(final)).toContain("Ran ls");
    expect(blocksText(final)).toContain("1 command run");

    // The session id the CLI reported is stored for the thread.
    const key = threadKey({ teamId: TeamId, channelId: Channel, threadTs: card.ts });
    const stored = (await getThreadSession(h.app.db, key))?.sessionId;
    expect(stored).toMatch(/^[0-9a-f-]{36}$/);

    // A reply in the thread continues that session: the model sees the first turn again.
    mock.requests.length = 0;
    await h.event("event.message.thread_reply.json", {
      text: "and what did you find?",
      ts: nextTs(),
      thread_ts: card.ts,
      user: Alice,
      channel: Channel,
    });
    await inThread(
      card.ts,
      (m) => m.ts > answer.ts && m.text.startsWith("Hello from the mock model"),
      "the second answer",
    );
    const prompts = promptTexts(mock);
    expect(prompts.some((p) => p.includes("list the files please"))).toBe(true);
    expect(prompts.some((p) => p.includes("and what did you find?"))).toBe(true);
    expect((await getThreadSession(h.app.db, key))?.sessionId).toBe(stored);
    expect(h.fake.violations).toEqual([]);
  });
});
