import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { describeAudit, PlainAuditStyle } from "../../src/audit/describe.js";
import { ActionIds } from "../../src/slack/actions.js";
import { sleep } from "../../src/sleep.js";
import { listAudit } from "../../src/store/audit.js";
import { threadKey } from "../../src/store/thread-key.js";
import { shortThreadId, threadBranch } from "../../src/workspaces/thread-id.js";
import { makeAgent, makeSandbox, type Sandbox } from "../claude/harness.js";
import type { StoredMessage } from "../support/fake-slack.js";
import { git } from "../support/forge/git.js";
import { type MockAnthropic, startMockAnthropic } from "../support/mock-anthropic.js";
import { blockLines, ProjectHarness } from "../support/project-harness.js";
import { Alice, blocksText, Channel } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * From a thread to a reviewed change, as a Slack user sees it: a real `claude` (mock LLM) run in a
 * channel bound to a project on the Gitea and Woodpecker fakes writes a file in the thread's own
 * worktree; its final message lists it and offers **Open pull request**; the click (a signed
 * block action to the real Bolt app) opens the PR in the fake Gitea; the fake CI's verdicts come
 * back to the thread once each, across a restart of the bot; a reply continues the session on the
 * same branch and updates the same PR.
 */
const TeamId = "T0AGENT01";
const Patience = 90_000;

let mock: MockAnthropic;
let sb: Sandbox;
let p: ProjectHarness;

beforeAll(async () => {
  mock = await startMockAnthropic();
  sb = makeSandbox();
  p = await ProjectHarness.start({
    overrides: {
      registry: new ProviderRegistry().register(makeAgent(mock, sb)),
      worker: { pollMs: 50, leaseMs: 10_000 },
    },
  });
});

afterAll(async () => {
  await p?.stop();
  await mock?.close();
  sb?.cleanup();
});

const inThread = (ts: string, pred: (m: StoredMessage) => boolean, what: string) =>
  p.h.fake.waitFor(() => p.h.fake.thread(Channel, ts).find(pred), what, Patience);
const allInThread = (ts: string, re: RegExp) => p.h.fake.thread(Channel, ts).filter((m) => re.test(blockLines(m)));

/** Wait until `probe` holds (checked every 50 ms, at most `Patience`). */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + Patience;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every file under `dir` (the data directory: clones, worktrees, PGlite's files). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
}

describe("Open pull request and the CI verdict, with the real claude CLI", () => {
  it("a run that writes a file → Open pull request → PR in Gitea → ✗ with the log tail → a reply updates the PR → ✓, each once", async () => {
    const { gitea, wp } = p.world!;
    expect(await p.slash("project new demo --template node")).toMatch(/Setting up project \*demo\*/);
    const card = await p.card(1);
    await p.cardMatching(card.ts, /Project \*demo\* is ready/);
    expect(await p.slash("project use demo")).toMatch(/demo/);
    const owner = gitea.repos().find((r) => r.name === "demo")!.owner.login;

    // A thread in the bound channel: the bot is mentioned in it.
    const root = p.h.fake.addMessage({ channel: Channel, user: Alice, text: "Let's add a greeting" });
    const key = threadKey({ teamId: TeamId, channelId: Channel, threadTs: root.ts });
    const branch = threadBranch(key);
    const worktree = path.join(realpathSync(path.join(p.dataDir, "worktrees")), "demo", shortThreadId(key));
    await p.h.event("event.app_mention.json", {
      text: `<@${p.h.fake.botUserId}> add a greeting MOCK:write=${worktree}/hello.txt`,
      ts: nextTs(),
      thread_ts: root.ts,
      user: Alice,
      channel: Channel,
    });
    const answer = await inThread(root.ts, (m) => blocksText(m).includes("Open pull request"), "the final message");
    expect(blockLines(answer)).toContain(`*Changed on \`${branch}\`:* 1 file changed, +1 −0`);
    expect(blockLines(answer)).toContain("hello.txt");
    expect(readFileSync(path.join(worktree, "hello.txt"), "utf8")).toBe("hello from mock\n");

    // The click: a signed block action to the real Bolt app.
    const click = () =>
      p.h.click({
        userId: Alice,
        channel: Channel,
        messageTs: answer.ts,
        threadTs: root.ts,
        actionId: ActionIds.openPullRequest,
        value: branch,
      });
    expect((await click()).status).toBe(200);
    const opened = await inThread(root.ts, (m) => /Opened .*pull request #1/.test(blockLines(m)), "the PR link");
    const pulls = gitea.pulls(owner, "demo");
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ head: branch, base: "main", state: "open" });
    expect(pulls[0]!.body).toContain("add a greeting");
    expect(pulls[0]!.body).toContain(`/thread/${Channel}-${root.ts}`);
    expect(blockLines(opened)).toContain(`${gitea.url}/${owner}/demo/pulls/1`);
    const first = (await gitea.branchHead(owner, "demo", branch))!;
    // The commit: the Slack user as author, the bot as committer, a trailer linking the thread.
    const bare = path.join(p.dataDir, "forge-copies", "demo.git");
    const log = (await git(["log", "-1", "--format=%an|%ae|%cn|%B", first], { cwd: bare })).toString();
    expect(log).toMatch(/^alice\|u0alice01@[^|]+\|codethread\|/);
    expect(log).toContain(
      `Slack-Thread: https://app.slack.com/client/${TeamId}/${Channel}/thread/${Channel}-${root.ts}`,
    );

    // A second click reuses the pull request: nothing new to push, the same link.
    await click();
    await inThread(root.ts, (m) => /Pull request #1.* is open and up to date/.test(blockLines(m)), "the reuse");
    expect(gitea.pulls(owner, "demo")).toHaveLength(1);

    // The CI fails on the PR's head: ✗ with the failing step's log tail (tokens removed) and Fix the build.
    await wp.reportPush({
      owner,
      name: "demo",
      branch,
      sha: first,
      script: {
        status: "failure",
        step: "test",
        log: ["npm test", `curl -H "Authorization: token ${gitea.botToken}"`, "AssertionError: expected greeting"],
      },
    });
    const failed = await inThread(root.ts, (m) => blockLines(m).includes("CI failed"), "the failure verdict");
    expect(blockLines(failed)).toContain("AssertionError: expected greeting");
    expect(blockLines(failed)).toContain("[REDACTED]");
    expect(blocksText(failed)).toContain(ActionIds.fixBuild);

    // Fix the build: a run in the same thread, resuming its session, with what the CI said as the prompt.
    await p.h.click({
      userId: Alice,
      channel: Channel,
      messageTs: failed.ts,
      threadTs: root.ts,
      actionId: ActionIds.fixBuild,
      value: first,
    });
    await inThread(root.ts, (m) => m.text.startsWith("Hello from the mock model"), "the fix run's answer");
    const fixRun = (await listAudit(p.db, { threadKey: key })).find((r) => r.action === "run.start");
    expect(fixRun?.detail).toMatchObject({ resumed: true, source: "reply" });
    const fixPrompt = (
      await p.db.query<{ prompt: string }>(
        "SELECT payload->>'prompt' AS prompt FROM jobs WHERE kind = 'agent_run' AND thread_key = $1 ORDER BY seq DESC LIMIT 1",
        [key],
      )
    ).rows[0]!.prompt;
    expect(fixPrompt).toContain(`The CI build of commit ${first.slice(0, 12)}`);
    expect(fixPrompt).toContain("AssertionError: expected greeting");

    // A reply continues the same session on the same branch; the PR gets the new commit.
    await p.h.event("event.message.thread_reply.json", {
      text: `fix it MOCK:write=${worktree}/fix.txt`,
      ts: nextTs(),
      thread_ts: root.ts,
      user: Alice,
      channel: Channel,
    });
    await inThread(root.ts, (m) => /Pushed `[0-9a-f]{8}` to .*pull request #1/.test(blockLines(m)), "the PR update");
    const second = (await gitea.branchHead(owner, "demo", branch))!;
    expect(second).not.toBe(first);
    expect((await git(["rev-parse", `${second}^`], { cwd: bare })).toString().trim()).toBe(first);
    expect(gitea.pulls(owner, "demo")).toHaveLength(1);
    const starts = (await listAudit(p.db, { threadKey: key })).filter((r) => r.action === "run.start");
    expect(starts.map((r) => r.detail.resumed).sort()).toEqual([false, true, true]);

    // The bot restarts while the watch of the new commit waits; the verdict still comes, once.
    const watching = async (generation: number) => {
      const { rows } = await p.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM jobs WHERE kind = 'ci_watch' AND payload->>'sha' = $1 AND (payload->>'generation')::int = $2 AND status = $3",
        [second, generation, generation === 0 ? "running" : "queued"],
      );
      return rows[0]!.n === 1;
    };
    await until(() => watching(0), "the watch of the new commit to run");
    await p.h.restart();
    // The interrupted watch was queued again, for whichever replica claims it.
    const { rows: taken } = await p.db.query<{ status: string }>(
      "SELECT status FROM jobs WHERE kind = 'ci_watch' AND payload->>'sha' = $1 ORDER BY seq",
      [second],
    );
    expect(taken.map((r) => r.status)[0]).toBe("interrupted");
    expect(taken).toHaveLength(2);
    await wp.reportPush({ owner, name: "demo", branch, sha: second, script: { status: "success" } });
    await inThread(root.ts, (m) => blockLines(m).includes("CI passed"), "the success verdict");
    await until(async () => {
      const jobs = await p.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM jobs WHERE kind IN ('ci_watch', 'pull_request') AND status IN ('queued', 'running')",
      );
      return jobs.rows[0]!.n === 0;
    }, "every pull request and CI watch job to end");
    expect(allInThread(root.ts, /CI failed/)).toHaveLength(1);
    expect(allInThread(root.ts, /CI passed/)).toHaveLength(1);
    const verdicts = (await listAudit(p.db, { threadKey: key })).filter((r) => r.action === "ci.verdict");
    expect(verdicts.map((r) => r.detail.state).sort()).toEqual(["failure", "success"]);
    const opens = (await listAudit(p.db, { threadKey: key })).filter((r) => r.action === "pr.open");
    expect(opens.map((r) => describeAudit(r, PlainAuditStyle))).toEqual([
      `@U0ALICE01 opened pull request #1 of demo (${branch} → main, ${first.slice(0, 8)})`,
    ]);

    // The token is in no git config, no file of the data directory, no log line, nothing sent to Slack.
    const basic = Buffer.from(`${gitea.bot}:${gitea.botToken}`).toString("base64");
    for (const secret of [gitea.botToken, basic]) {
      expect(p.recorded()).not.toContain(secret);
      for (const f of filesUnder(p.dataDir)) {
        if (f.includes(`${path.sep}pglite`)) continue;
        expect(readFileSync(f).includes(secret), f).toBe(false);
      }
    }
    expect(p.world!.violations()).toEqual([]);
  });
});
