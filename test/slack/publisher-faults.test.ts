import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { Secret } from "../../src/secret.js";
import { SlackPublisher } from "../../src/slack/publisher.js";
import { createWebClient, WebSlackApi } from "../../src/slack/slack-api.js";
import type { RunInfo } from "../../src/worker/publisher.js";
import { FakeSlack } from "../support/fake-slack.js";

/** The publisher against a Slack that hangs or refuses: it never waits for it, and it says what it did. */
let fake: FakeSlack;
let lines: string[];
beforeEach(async () => {
  fake = await new FakeSlack().start();
  lines = [];
});
afterEach(async () => {
  await fake.stop();
});

function publisher(timeoutMs: number, closeGraceMs = 10_000): SlackPublisher {
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const token = new Secret("xoxb-test");
  const client = (kind: "progress" | "reliable") =>
    new WebSlackApi(createWebClient({ token, apiUrl: fake.apiUrl, kind, timeoutMs }));
  return new SlackPublisher({
    progress: client("progress"),
    reliable: client("reliable"),
    log: createLogger({ level: "info", destination }),
    progressOptions: { cardIntervalMs: 20, updatesPerMinute: 600, burst: 20 },
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    closeGraceMs,
  });
}

function run(extra: Partial<RunInfo["payload"]> = {}): RunInfo {
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
      prompt: "fix the build",
      cardTs: root.ts,
      source: "slash",
      ...extra,
    },
  };
}

const logged = (msg: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe("SlackPublisher under Slack faults", () => {
  it("returns from runFinished at once, then abandons hung calls, retries them, and ends the card", async () => {
    const p = publisher(300);
    const r = run();
    await p.runStarted(r);
    fake.fault("chat.postMessage", { hangMs: 60_000 }, { when: (x) => x.text === "the answer" });
    fake.fault("chat.update", { hangMs: 60_000 }, { when: (x) => /^Done/.test(String(x.text)) });
    await p.runFinished(r, { outcome: "succeeded", text: "the answer", durationMs: 10 }, {});
    // Handed over: nothing of the end is in Slack yet (the answer's first post is hanging).
    expect(fake.thread("C0BUILDS1", r.payload.threadTs).some((m) => m.text === "the answer")).toBe(false);
    await p.idle();
    expect(fake.thread("C0BUILDS1", r.payload.threadTs).filter((m) => m.text === "the answer").length).toBe(1);
    expect(fake.message("C0BUILDS1", r.payload.threadTs)?.text).toMatch(/^Done/);
    const finals = fake.callsOf("chat.update").filter((c) => /^Done/.test(String(c.params.text)));
    expect(finals.map((c) => c.outcome)).toEqual(["pending", "ok"]);
    expect(logged("Slack call failed; retrying").map((l) => l.slackError)).toEqual(["timeout", "timeout"]);
    await p.close();
  });

  it("keeps a thread's answers in order when the first one has to be retried", async () => {
    const p = publisher(300);
    const first = run();
    const second: RunInfo = { ...first, jobId: `${first.jobId}-reply`, payload: { ...first.payload, prompt: "again" } };
    fake.fault("chat.postMessage", { hangMs: 60_000 }, { when: (x) => x.text === "first answer" });
    await p.runStarted(first);
    await p.runFinished(first, { outcome: "succeeded", text: "first answer", durationMs: 10 }, {});
    await p.runStarted(second);
    await p.runFinished(second, { outcome: "succeeded", text: "second answer", durationMs: 10 }, {});
    await p.idle();
    const answers = fake.thread("C0BUILDS1", first.payload.threadTs).filter((m) => m.text.endsWith("answer"));
    expect(answers.map((m) => m.text)).toEqual(["first answer", "second answer"]);
    await p.close();
  });

  it("logs each fallback and tells the card when the thread, the response_url and the DM all refuse", async () => {
    const p = publisher(2_000);
    const r = run({ responseUrl: fake.responseUrl("cmd-1") });
    await p.runStarted(r);
    fake.fault("chat.postMessage", { error: "not_in_channel" }, { count: 10 });
    fake.fault("response_url", { error: "used_url", status: 404 });
    fake.fault("conversations.open", { error: "cannot_dm_bot" });
    await p.runFinished(r, { outcome: "failed", text: "", error: "the agent crashed", durationMs: 10 }, {});
    await p.idle();
    expect(logged("the answer could not be posted in its thread")[0]?.slackError).toBe("not_in_channel");
    expect(logged("response_url refused too; trying a DM")[0]?.responseUrlError).toBe("used_url");
    expect(logged("nobody could be told: thread, response_url and DM all refused")[0]?.dmError).toBe("cannot_dm_bot");
    const card = JSON.stringify(fake.message("C0BUILDS1", r.payload.threadTs)?.blocks);
    expect(card).toContain("the agent crashed");
    expect(card).toContain("could not reach the person who asked another way either");
    // The response_url itself (a credential) is never logged.
    expect(lines.join("")).not.toContain("/response/cmd-1");
    await p.close();
  });

  it("closes within its grace period when Slack never answers", async () => {
    const p = publisher(60_000, 200);
    const r = run();
    await p.runStarted(r);
    fake.fault("chat.postMessage", { hangMs: 120_000 }, { count: 10 });
    await p.runFinished(r, { outcome: "succeeded", text: "never delivered", durationMs: 10 }, {});
    await p.close();
    expect(logged("final deliveries still retrying at shutdown; giving up")[0]?.pending).toBe(1);
    expect(logged("final deliveries abandoned at shutdown")[0]?.pending).toBe(1);
  });
});
