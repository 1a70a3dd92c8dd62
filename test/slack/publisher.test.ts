import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import { silentLogger } from "../../src/log.js";
import { Secret } from "../../src/secret.js";
import { SlackPublisher } from "../../src/slack/publisher.js";
import { createWebClient, WebSlackApi } from "../../src/slack/slack-api.js";
import type { RunInfo } from "../../src/worker/publisher.js";
import { FakeSlack } from "../support/fake-slack.js";

let fake: FakeSlack;
let publisher: SlackPublisher;

function makePublisher(cardIntervalMs = 30, threadStatus = false): SlackPublisher {
  const token = new Secret("xoxb-test");
  return new SlackPublisher({
    progress: new WebSlackApi(createWebClient({ token, apiUrl: fake.apiUrl, kind: "progress" })),
    reliable: new WebSlackApi(createWebClient({ token, apiUrl: fake.apiUrl, kind: "reliable" })),
    log: silentLogger,
    progressOptions: { cardIntervalMs, updatesPerMinute: 600, burst: 20 },
    threadStatus,
    statusIntervalMs: 60_000,
  });
}

async function runInfo(prompt = "fix the build"): Promise<RunInfo> {
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

const tool = (id: string, command: string): AgentEvent => ({
  type: "tool_use",
  id,
  tool: "Bash",
  kind: "shell",
  input: { command },
  summary: `Ran ${command}`,
});
const done = (id: string, ok = true): AgentEvent => ({ type: "tool_result", id, ok, output: "" });

beforeEach(async () => {
  fake = await new FakeSlack().start();
  publisher = makePublisher();
});
afterEach(async () => {
  await publisher.close();
  await fake.stop();
});

describe("SlackPublisher", () => {
  it("keeps the card live with tool summaries and posts the answer in the thread", async () => {
    const run = await runInfo();
    await publisher.runStarted(run);
    await publisher.runEvent(run, tool("t1", "npm test"));
    await publisher.runEvent(run, done("t1", false));
    await publisher.runEvent(run, {
      type: "tool_use",
      id: "t2",
      tool: "Edit",
      kind: "edit",
      input: { file_path: "src/a.ts" },
      summary: "Edited src/a.ts",
    });
    await publisher.runEvent(run, done("t2"));
    await fake.waitFor(
      () =>
        fake.message("C0BUILDS1", run.payload.threadTs)?.text.startsWith("Running") &&
        JSON.stringify(fake.message("C0BUILDS1", run.payload.threadTs)?.blocks).includes("✓ Edited"),
      "card edit",
    );
    await publisher.runFinished(
      run,
      { outcome: "succeeded", text: "All green now.", durationMs: 65_000, costUsd: 0.12 },
      {},
    );
    await publisher.idle();
    const thread = fake.thread("C0BUILDS1", run.payload.threadTs);
    const card = JSON.stringify(thread[0]?.blocks);
    expect(card).toContain("✗ Ran npm test");
    expect(card).toContain("✓ Edited src/a.ts");
    expect(card).toContain("1 command run");
    expect(card).toContain("1 file changed");
    expect(card).not.toContain("run_cancel");
    expect(thread[0]?.text).toMatch(/^Done/);
    const answer = thread[1]!;
    expect(answer.text).toBe("All green now.");
    const footer = JSON.stringify(answer.blocks);
    expect(footer).toContain("1m 05s");
    expect(footer).toContain("$0.12");
    expect(footer).toContain("Reply in this thread to continue");
    expect(fake.violations).toEqual([]);
  });

  it("lists a run's changed files under its answer with Open pull request, the whole list attached when it was cut", async () => {
    const run = await runInfo();
    await publisher.runStarted(run);
    const stat = " a.txt | 1 +\n <b>&c.txt | 2 +-\n 2 files changed, 2 insertions(+), 1 deletion(-)\n";
    await publisher.runFinished(
      run,
      { outcome: "succeeded", text: "Edited.", durationMs: 1000 },
      {
        changes: {
          kind: "changed",
          branch: "codethread/0123456789ab",
          fileCount: 2,
          insertions: 2,
          deletions: 1,
          stat,
          fullStat: `${stat}(the whole list)\n`,
          next: { kind: "open_pull_request" },
        },
      },
    );
    await publisher.idle();
    const [answer] = fake.thread("C0BUILDS1", run.payload.threadTs).slice(1);
    const blocks = JSON.stringify(answer?.blocks);
    expect(blocks).toContain(
      "*Changed on `codethread/0123456789ab`:* 2 files changed, +2 −1 (the full list is attached)",
    );
    expect(blocks).toContain("&lt;b&gt;&amp;c.txt");
    expect(blocks).toContain('"action_id":"pr_open"');
    expect(blocks).toContain("Open pull request");
    // The footer stays last.
    expect(((answer?.blocks ?? []) as { type: string }[]).at(-1)).toMatchObject({ type: "context" });
    expect(fake.uploads.map((u) => u.content)).toEqual([`${stat}(the whole list)\n`]);
    expect(fake.violations).toEqual([]);
  });

  it("splits a long answer and attaches a very long one as a file", async () => {
    const run = await runInfo();
    await publisher.runStarted(run);
    const long = Array.from({ length: 900 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    await publisher.runFinished(run, { outcome: "succeeded", text: long, durationMs: 1000 }, {});
    await publisher.idle();
    const answers = fake.thread("C0BUILDS1", run.payload.threadTs).slice(1);
    expect(answers.length).toBe(3);
    expect(answers.map((m) => JSON.stringify(m.blocks)).join("")).toContain("line 899");

    const run2 = await runInfo();
    await publisher.runStarted(run2);
    await publisher.runFinished(run2, { outcome: "succeeded", text: "y".repeat(60_000), durationMs: 1000 }, {});
    await publisher.idle();
    expect(fake.uploads.length).toBe(1);
    expect(fake.uploads[0]?.content).toContain("y".repeat(1000));
    expect(fake.violations).toEqual([]);
  });

  it("merges a rate-limited progress edit into the next and never loses the answer", async () => {
    const run = await runInfo();
    await publisher.runStarted(run);
    fake.fail("chat.update", "ratelimited", { count: 3, retryAfterSec: 1 });
    fake.fail("chat.postMessage", "ratelimited", { count: 2, retryAfterSec: 1 });
    for (let i = 0; i < 20; i++) await publisher.runEvent(run, tool(`t${i}`, `step ${i}`));
    await publisher.runFinished(
      run,
      { outcome: "failed", text: "", error: "API error: overloaded", durationMs: 5000 },
      {},
    );
    await publisher.idle();
    const thread = fake.thread("C0BUILDS1", run.payload.threadTs);
    expect(thread[0]?.text).toMatch(/^Failed/);
    expect(JSON.stringify(thread[0]?.blocks)).toContain("Ran step 19");
    expect(JSON.stringify(thread[1]?.blocks)).toContain("API error: overloaded");
    expect(fake.calls.filter((c) => c.outcome === "ratelimited").length).toBeGreaterThan(0);
  });

  it("attaches the answer as a file when Slack refuses it as a message", async () => {
    const run = await runInfo();
    await publisher.runStarted(run);
    fake.fail("chat.postMessage", "msg_too_long");
    await publisher.runFinished(run, { outcome: "succeeded", text: "the answer", durationMs: 10 }, {});
    await publisher.idle();
    expect(fake.uploads.map((u) => u.content).join("")).toContain("the answer");
    expect(fake.message("C0BUILDS1", run.payload.threadTs)?.text).toMatch(/^Done/);
  });

  it("says in the thread when a permission request was denied because nobody answered", async () => {
    const run = await runInfo();
    await publisher.runStarted(run);
    await publisher.runEvent(run, {
      type: "permission_request",
      id: "req-1",
      tool: "Bash",
      input: {},
      summary: "Run rm -rf dist",
    });
    const question = await fake.waitFor(
      () =>
        fake
          .thread("C0BUILDS1", run.payload.threadTs)
          .find((m) => String(JSON.stringify(m.blocks)).includes("permission_approve")),
      "question",
    );
    await publisher.runEvent(run, {
      type: "permission_denied",
      tool: "Bash",
      id: "toolu_1",
      reason: "No one answered within 10 min, so this was denied.",
    });
    await publisher.runFinished(run, { outcome: "succeeded", text: "ok", durationMs: 10 }, {});
    await publisher.idle();
    const updated = fake.message("C0BUILDS1", question.ts)!;
    expect(updated.text).toMatch(/^Denied automatically/);
    expect(JSON.stringify(updated.blocks)).toContain("No one answered within 10 min");
    expect(JSON.stringify(updated.blocks)).not.toContain("permission_approve");
  });

  it("tells the thread when a run was interrupted and shows it on the card", async () => {
    const run = await runInfo();
    await publisher.runStarted(run);
    await publisher.runInterrupted(run, "the worker shut down");
    await publisher.idle();
    const thread = fake.thread("C0BUILDS1", run.payload.threadTs);
    expect(thread[0]?.text).toMatch(/^Interrupted/);
    expect(thread[1]?.text).toContain("interrupted: the worker shut down");
    expect(thread[1]?.text).toContain("reply in this thread to continue");
  });

  it("optionally shows the latest tool use as the thread's status line, throttled", async () => {
    await publisher.close();
    publisher = makePublisher(30, true);
    const run = await runInfo();
    await publisher.runStarted(run);
    await publisher.runEvent(run, tool("t1", "npm test"));
    await publisher.runEvent(run, tool("t2", "npm run lint"));
    await publisher.runFinished(run, { outcome: "succeeded", text: "ok", durationMs: 10 }, {});
    await publisher.idle();
    const calls = fake.callsOf("assistant.threads.setStatus");
    expect(calls.map((c) => [c.params.thread_ts, c.params.status])).toEqual([
      [run.payload.threadTs, "is working: Ran npm test…"],
    ]);
  });
});
