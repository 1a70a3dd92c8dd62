import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "../../src/store/audit.js";
import { threadKey } from "../../src/store/thread-key.js";
import { ensureThreadSession, getThreadSession, setThreadSessionId } from "../../src/store/thread-sessions.js";
import type { StoredMessage } from "../support/fake-slack.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import { type RealClaudeSlack, startRealClaudeSlack } from "../support/real-claude-slack.js";
import { Alice, blocksText, Channel, type SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * A thread whose agent session is gone (another machine, a wiped config dir): the real `claude`
 * CLI answers `--resume <id>` with "No conversation found with session ID: …"; the turn starts a
 * fresh session and the thread is told so, ahead of the answer.
 */
let mock: MockAnthropic;
let h: SlackHarness;
const Patience = 90_000;
const TeamId = "T0AGENT01";
const Lost = "0b9d6c1e-4c5f-4a8e-9d3b-7f2e1a6c5d40";

let env: RealClaudeSlack | undefined;
beforeAll(async () => {
  env = await startRealClaudeSlack();
  ({ mock, h } = env);
});
afterAll(async () => {
  await env?.stop();
});

const inThread = (ts: string, pred: (m: StoredMessage) => boolean, what: string) =>
  h.fake.waitFor(() => h.fake.thread(Channel, ts).find(pred), what, Patience);

describe("a session the agent no longer has", () => {
  it("starts a fresh one and says so in the thread", async () => {
    // A thread the bot ran before, whose session the CLI has never heard of.
    const root = h.fake.addMessage({ channel: Channel, user: h.fake.botUserId, text: "Done: an old run" });
    const key = threadKey({ teamId: TeamId, channelId: Channel, threadTs: root.ts });
    await ensureThreadSession(h.app.db, {
      teamId: TeamId,
      channelId: Channel,
      threadTs: root.ts,
      provider: "claude-code",
      ownerUserId: Alice,
    });
    await setThreadSessionId(h.app.db, key, Lost);

    await h.event("event.message.thread_reply.json", {
      text: "carry on with the refactor",
      ts: nextTs(),
      thread_ts: root.ts,
      user: Alice,
      channel: Channel,
    });
    const notice = await inThread(
      root.ts,
      (m) => m.text.includes("I could not resume the earlier session"),
      "the fresh-session notice",
    );
    expect(notice.text).toContain("starting fresh — earlier context is lost");
    const answer = await inThread(
      root.ts,
      (m) => m.text.startsWith("Hello from the mock model"),
      "the answer of the fresh session",
    );
    expect(Number(answer.ts)).toBeGreaterThan(Number(notice.ts));
    expect(blocksText(answer)).toContain("Reply in this thread to continue");
    expect(blocksText(answer)).not.toContain("no longer exists");

    // The thread now holds the new session, and the next reply resumes it.
    const fresh = (await getThreadSession(h.app.db, key))?.sessionId;
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh).not.toBe(Lost);
    const reset = (await listAudit(h.app.db, { threadKey: key })).find((a) => a.action === "session.reset");
    expect(reset?.detail).toMatchObject({ lostSessionId: Lost, requester: Alice });

    // The prompt reached the model once, in the fresh session (the failed resume made no model call).
    const prompts = mock.turns().flatMap((t) => t.messages.filter((m) => m.role === "user"));
    expect(JSON.stringify(prompts)).toContain("carry on with the refactor");
    expect(h.fake.thread(Channel, root.ts).filter((m) => m.text.includes("could not resume"))).toHaveLength(1);
  });
});
