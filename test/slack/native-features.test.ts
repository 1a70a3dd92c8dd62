import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../src/store/audit.js";
import { bindChannel } from "../../src/store/channel-projects.js";
import { ensureProject, updateProject } from "../../src/store/projects.js";
import { Git } from "../../src/workspaces/git.js";
import { ensureLocalProject } from "../../src/workspaces/local-projects.js";
import { Alice, Bob, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * Slack's agent features against the fake answering both ways: where the workspace offers them
 * (agents.sessions.setStatus, chat.*Stream, as the method pages describe them), a run sets its
 * thread's agent session to `processing` with a title, Slack's own stop button cancels it like the
 * Cancel button, and the answer is streamed; where they are refused, the card and a posted answer
 * are the whole experience, and after one refused call per workspace nothing more is tried.
 */
const TeamId = "T0AGENT01";

const session = (h: SlackHarness, threadTs: string) => h.fake.workspace.agentSessions.get(`${Channel}:${threadTs}`);

const stopEvent = (h: SlackHarness, user: string, threadTs: string) =>
  h.event("event.agent_session_stopped.json", {
    user,
    channel: Channel,
    thread_ts: threadTs,
    event_ts: nextTs(),
    streaming_message_ts: [],
  });

describe("where the workspace offers agent sessions and streaming", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start({
      env: { CODETHREAD_ADMINS: "U0ADMIN01" },
      fake: {
        agentFeatures: "available",
        // Slack's tiers for the stream methods, enforced (429 past them); the card edits keep their own.
        tiers: { "chat.update": 10_000, "chat.startStream": 20, "chat.appendStream": 12, "chat.stopStream": 20 },
      },
      overrides: {
        // Appends as often as the budget lets: the budget, not the interval, keeps them under the tier.
        streamOptions: {
          appendIntervalMs: 5,
          appendsPerMinute: 6,
          appendBurst: 4,
          startsPerMinute: 16,
          startBurst: 4,
        },
      },
    });
  });
  beforeEach(() => h.reset());
  afterAll(async () => {
    await h?.stop();
  });

  it("sets the session to processing with a title; Slack's stop button cancels like Cancel, for whoever may", async () => {
    const card = await h.startBlockedRun("refactor the payment module");
    const processing = await h.fake.waitForCall("agents.sessions.setStatus", (c) => c.params.status === "processing");
    expect(processing.params).toMatchObject({
      channel_id: Channel,
      thread_ts: card.ts,
      title: "refactor the payment module",
      initiator_user_id: Alice,
    });
    expect(session(h, card.ts)?.status).toBe("processing");

    // Someone else presses Slack's stop: refused as the Cancel button refuses, the run goes on.
    await stopEvent(h, Bob, card.ts);
    const refusal = await h.fake.waitFor(
      () => h.fake.callsOf("chat.postEphemeral").find((c) => String(c.params.text).includes("Only <@U0ALICE01>")),
      "the refusal",
    );
    expect(refusal.params.user).toBe(Bob);
    expect(h.fake.message(Channel, card.ts)?.text).toMatch(/^Running/);
    expect(session(h, card.ts)?.status).toBe("processing");

    // The requester presses it: the run is cancelled, and the session leaves `processing`.
    await stopEvent(h, Alice, card.ts);
    const final = await h.waitForText(card.ts, /^Cancelled/);
    expect(blocksText(final)).toContain(`Cancelled by <@${Alice}>`);
    await h.fake.waitFor(() => session(h, card.ts)?.status === "active", "the session back to active");
    // Two calls for the run, none per tool use.
    expect(h.fake.callsOf("agents.sessions.setStatus").map((c) => c.params.status)).toEqual(["processing", "active"]);
    const audit = await listAudit(h.app.db, { threadKey: `${TeamId}:${Channel}:${card.ts}` });
    const cancel = audit.find((a) => a.action === "run.cancel");
    expect(cancel?.actor).toBe(Alice);
    expect(cancel?.detail.via).toBe("slack_stop");
    expect(audit.some((a) => a.action === "access.denied" && a.actor === Bob)).toBe(true);
  });

  it("streams the answer as written, in order, under the append tier, with tool steps as task updates", async () => {
    const pieces = Array.from({ length: 60 }, (_, i) => `word${i} `);
    h.agent.script = () => ({
      steps: [
        { tool: "Bash", input: { command: "npm test" }, summary: "Ran npm test" },
        ...pieces.flatMap((text) => [{ text }, { sleepMs: 10 }]),
      ],
      answer: pieces.join(""),
    });
    const before = h.cards().length;
    await h.slash("explain the build");
    const card = await h.waitForCard(before + 1);
    const streamed = await h.fake
      .waitFor(() => h.fake.thread(Channel, card.ts).find((m) => m.streaming === false), "the stopped stream", 30_000)
      .catch((err) => {
        console.log(JSON.stringify(h.fake.calls.map((c) => [c.method, c.outcome, c.params.ts, c.params.thread_ts])));
        console.log(JSON.stringify(h.fake.thread(Channel, card.ts)));
        throw err;
      });
    // Every piece, in the order written, once.
    expect(streamed.text).toBe(pieces.join(""));
    expect(streamed.tasks).toEqual([{ id: expect.any(String), title: "Ran npm test", status: "complete" }]);
    expect(blocksText(streamed)).toContain("Done");
    const appends = h.fake.callsOf("chat.appendStream");
    expect(appends.length).toBeGreaterThan(0);
    expect(appends.every((c) => c.outcome === "ok")).toBe(true);
    expect(h.fake.callsOf("chat.startStream").map((c) => c.outcome)).toEqual(["ok"]);
    expect(h.fake.callsOf("chat.stopStream").map((c) => c.outcome)).toEqual(["ok"]);
    // The answer was not posted a second time.
    const answers = h.fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts === card.ts);
    expect(answers).toEqual([]);
    expect(h.fake.violations).toEqual([]);
  });

  it("a streamed answer of a run that changed files in a project is followed by what it changed", async () => {
    const git = new Git();
    const { project } = await ensureLocalProject(git, {
      dataDir: mkdtempSync(path.join(tmpdir(), "native-")),
      name: "notes",
    });
    await ensureProject(h.app.db, {
      name: "notes",
      template: "none",
      description: "",
      location: "local",
      owner: null,
      createdBy: Alice,
    });
    await updateProject(h.app.db, "notes", { cloneUrl: project.repoDir, status: "ready", defaultBranch: "main" });
    await bindChannel(h.app.db, { teamId: TeamId, channelId: Channel }, "notes", Alice);
    try {
      h.agent.script = (r) => {
        if (r.workspace.kind === "local") writeFileSync(path.join(r.workspace.directory, "NOTES.md"), "hello\n");
        return { steps: [{ text: "Wrote " }, { text: "the notes." }], answer: "Wrote the notes." };
      };
      const before = h.cards().length;
      await h.slash("write notes");
      const card = await h.waitForCard(before + 1);
      const changes = await h.waitInThread(card.ts, (m) => blocksText(m).includes("Changed on"), "the changes");
      const streamed = h.fake.thread(Channel, card.ts).find((m) => m.streaming === false);
      expect(streamed?.text).toBe("Wrote the notes.");
      expect(Number(changes.ts)).toBeGreaterThan(Number(streamed?.ts));
      expect(blocksText(changes)).toContain("NOTES.md");
      expect(blocksText(changes)).toContain("git fetch");
    } finally {
      await h.app.db.query("DELETE FROM channel_projects WHERE channel_id = $1", [Channel]);
    }
  });
});

describe("a stream through Slack's faults", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start({
      fake: { agentFeatures: "available" },
      overrides: {
        streamOptions: {
          appendIntervalMs: 5,
          appendsPerMinute: 600,
          appendBurst: 20,
          startsPerMinute: 16,
          startBurst: 4,
        },
      },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Run `/agent <command>` with an agent that writes `pieces` 20 ms apart; the stopped stream's message. */
  async function streamPieces(pieces: string[], command: string) {
    h.agent.script = () => ({
      steps: pieces.flatMap((text) => [{ text }, { sleepMs: 20 }]),
      answer: pieces.join(""),
    });
    const before = h.cards().length;
    await h.slash(command);
    const card = await h.waitForCard(before + 1);
    return h.fake.waitFor(
      () => h.fake.thread(Channel, card.ts).find((m) => m.streaming === false),
      "the stopped stream",
      30_000,
    );
  }

  it("keeps the streamed text in order when Slack answers an append with a 429 or a 5xx", async () => {
    const pieces = Array.from({ length: 100 }, (_, i) => `p${i} `);
    h.fake.fail("chat.appendStream", "ratelimited", { skip: 1, retryAfterSec: 1 });
    h.fake.fault("chat.appendStream", { status: 500 }, { skip: 2 });
    const streamed = await streamPieces(pieces, "stream through faults");
    expect(streamed.text).toBe(pieces.join(""));
    expect(h.fake.callsOf("chat.appendStream").map((c) => c.outcome)).toContain("ratelimited");
    expect(h.fake.callsOf("chat.appendStream").map((c) => c.outcome)).toContain("http_500");
  });

  it("keeps the text in order and once when a slow append fails while the agent writes on", async () => {
    const pieces = Array.from({ length: 40 }, (_, i) => `q${i} `);
    // The second append is held for 300 ms (about fifteen more pieces arrive meanwhile), then answered with a 500.
    h.fake.fault("chat.appendStream", { hangMs: 300, answer: { status: 500 } }, { skip: 1 });
    const streamed = await streamPieces(pieces, "stream through a slow failure");
    expect(streamed.text).toBe(pieces.join(""));
    expect(h.fake.callsOf("chat.appendStream").map((c) => c.outcome)).toContain("http_500");
  });

  it("posts the answer when the stream cannot be finished", async () => {
    h.fake.fail("chat.stopStream", "message_not_in_streaming_state");
    h.agent.script = () => ({ steps: [{ text: "Working on it. " }], answer: "The final answer." });
    const before = h.cards().length;
    await h.slash("finish badly");
    const card = await h.waitForCard(before + 1);
    const posted = await h.waitInThread(card.ts, (m) => m.text === "The final answer.", "the posted answer");
    expect(posted.streaming).toBeUndefined();
    await h.waitForText(card.ts, /^Done/);
  });

  it("does not post an answer a second time when it is already in the message and only the stop fails", async () => {
    h.fake.fail("chat.stopStream", "internal_error");
    // The answer is the run's text, streamed before the run ends; the run waits until Slack has it.
    const inMessage = h.fake.waitForCall("chat.startStream", (c) =>
      JSON.stringify(c.params).includes("All done here."),
    );
    h.agent.script = () => ({ steps: [{ text: "All done here." }, { wait: inMessage }], answer: "All done here." });
    const before = h.cards().length;
    await h.slash("stop fails");
    const card = await h.waitForCard(before + 1);
    await h.waitForText(card.ts, /^Done/);
    const posted = h.fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts === card.ts);
    expect(posted.map((c) => c.params.text)).not.toContain("All done here.");
    await h.fake.waitFor(() => h.fake.callsOf("chat.stopStream").length >= 2, "the stop tried again without text");
    const inThread = h.fake.thread(Channel, card.ts).filter((m) => (m.text ?? "").includes("All done here."));
    expect(inThread).toHaveLength(1);
  });
});

describe("where the workspace refuses them", () => {
  let h: SlackHarness;
  const logs: string[] = [];
  beforeAll(async () => {
    const { default: pino } = await import("pino");
    const log = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
    h = await SlackHarness.start({ fake: { agentFeatures: "refused" }, log });
  });
  beforeEach(() => h.reset());
  afterAll(async () => {
    await h?.stop();
  });

  it("falls back to the card and a posted answer, quietly, and stops asking", async () => {
    for (const [n, prompt] of ["first ask", "second ask"].entries()) {
      h.agent.script = () => ({ steps: [{ text: "thinking " }], answer: `answer ${n}` });
      await h.slash(prompt);
      const card = await h.waitForCard(n + 1);
      await h.waitInThread(card.ts, (m) => m.text === `answer ${n}`, `answer ${n} posted`);
      await h.waitForText(card.ts, /^Done/);
      await h.app.publisher.idle();
    }
    // One refused call of each per workspace; the second run made none.
    expect(h.fake.callsOf("agents.sessions.setStatus").map((c) => c.outcome)).toEqual(["not_allowed"]);
    expect(h.fake.callsOf("chat.startStream").map((c) => c.outcome)).toEqual(["not_allowed"]);
    expect(h.fake.callsOf("chat.appendStream")).toEqual([]);
    // Nothing about it above debug in the logs.
    const noisy = logs.filter((l) => /not_allowed|agent session|stream/i.test(l));
    expect(noisy).toEqual([]);
  });
});

describe("where setStatus warns that the stop event is not subscribed", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start({ fake: { agentFeatures: "warn" }, env: { CODETHREAD_STREAMING: "off" } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("moves the session off processing at the end, and does not use sessions again", async () => {
    h.agent.script = () => ({ steps: [], answer: "one" });
    await h.slash("first");
    const card = await h.waitForCard(1);
    await h.waitInThread(card.ts, (m) => m.text === "one", "the answer");
    await h.fake.waitFor(() => session(h, card.ts)?.status === "active", "the session back to active");
    h.agent.script = () => ({ steps: [], answer: "two" });
    await h.slash("second");
    const second = await h.waitForCard(2);
    await h.waitInThread(second.ts, (m) => m.text === "two", "the second answer");
    await h.app.publisher.idle();
    expect(h.fake.callsOf("agents.sessions.setStatus").map((c) => c.params.status)).toEqual(["processing", "active"]);
    // CODETHREAD_STREAMING=off: no stream was tried.
    expect(h.fake.callsOf("chat.startStream")).toEqual([]);
  });
});
