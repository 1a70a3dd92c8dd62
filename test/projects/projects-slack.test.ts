import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../src/store/audit.js";
import { shortThreadId } from "../../src/workspaces/thread-id.js";
import { cloneRepo } from "../support/forge/clone.js";
import { git } from "../support/forge/git.js";
import { blockLines, ProjectHarness } from "../support/project-harness.js";
import { Alice, Bob, Channel } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

const TeamId = "T0AGENT01";

/** Someone else's commit on the forge (a real push over git http-backend). */
async function pushCommit(url: string, token: string): Promise<void> {
  const dir = await cloneRepo(url, token);
  writeFileSync(path.join(dir, "NOTES.md"), "new\n");
  await git(["add", "NOTES.md"], { cwd: dir });
  await git(["-c", "user.name=Someone", "-c", "user.email=someone@example.com", "commit", "-qm", "Notes"], {
    cwd: dir,
  });
  await git(["-c", `http.extraHeader=Authorization: token ${token}`, "push", "-q", "origin", "HEAD"], { cwd: dir });
}

/**
 * `/agent project` and `/agent build` as a Slack user sees them: real Bolt with signed requests,
 * the queue and worker, the fake Slack Web API, and the Gitea and Woodpecker contract fakes.
 */
describe("projects in Slack against Gitea and Woodpecker", () => {
  let p: ProjectHarness;
  let cards = 0;
  beforeAll(async () => {
    p = await ProjectHarness.start();
  });
  beforeEach(() => {
    const world = p.world!;
    world.wp.refuseActivation = undefined;
    world.wp.outcome = { status: "success" };
    cards = p.h.cards().length;
  });
  afterAll(async () => {
    expect(p.world!.violations()).toEqual([]);
    await p.stop();
  });

  const nextCard = () => p.card(++cards);

  it("`project new demo --template node`: a repository, an active Woodpecker repo and a first pipeline, each step on the card, the result in its thread", async () => {
    const { gitea, wp } = p.world!;
    const ack = await p.slash("project new demo --template node");
    expect(ack).toBe("Setting up project *demo* from the `node` template: the card here ticks each step.");
    const card = await nextCard();
    expect(blockLines(card)).toMatch(/Setting up project \*demo\*/);

    const done = await p.cardMatching(card.ts, /Project \*demo\* is ready/);
    const lines = blockLines(done);
    expect(lines).toContain(`✓ *Repository*: <${gitea.url}/codethread-bot/demo|codethread-bot/demo>`);
    expect(lines).toMatch(
      new RegExp(`✓ \\*CI activated\\*: codethread-bot/demo activated — <${wp.url}/repos/\\d+\\|Woodpecker>`),
    );
    expect(lines).toContain("✓ *Secrets*: none to set");
    expect(lines).toMatch(/✓ \*First build\*: pipeline #1 on main — <http[^|]+\/pipeline\/1\|#1>/);
    expect(lines).toMatch(/✓ \*Build result\*: pipeline #1 passed — <http[^|]+\|#1>/);
    expect(lines).toContain("Bind a channel to it: `/agent project use demo`");

    const result = await p.inThread(card.ts, /First build of \*demo\*/);
    expect(blockLines(result)).toMatch(
      /^:white_check_mark: Project \*demo\* is ready\n✓ First build of \*demo\*: pipeline #1 passed/,
    );

    expect(gitea.repo("codethread-bot", "demo")).toBeDefined();
    const ciRepo = [...wp.repos.values()].find((r) => r.name === "demo");
    expect(ciRepo?.active).toBe(true);
    expect(wp.pipelines.get(ciRepo!.id)?.map((x) => x.status)).toEqual(["success"]);
    // The card was edited in place (progress edits, then the final state), never re-posted.
    expect(p.h.fake.callsOf("chat.update").filter((c) => c.params.ts === card.ts).length).toBeGreaterThanOrEqual(2);
    expect(p.h.fake.callsOf("chat.postMessage").filter((c) => !c.params.thread_ts)).toHaveLength(cards);
  });

  it("`build demo` posts the result in the card's thread: success, then failure with the failing step's log tail, tokens removed", async () => {
    const { gitea } = p.world!;
    expect(await p.slash("build demo")).toBe(
      "Building *demo* on `main`: the result will be posted in the card's thread.",
    );
    const card = await nextCard();
    const ok = await p.inThread(card.ts, /pipeline <[^|]+\|#\d+> passed/);
    expect(blockLines(ok)).toMatch(
      /^:white_check_mark: \*demo\* on `main`: pipeline <http[^|]+\/pipeline\/2\|#2> passed$/,
    );
    await p.cardMatching(
      card.ts,
      /:white_check_mark: \*demo\* on `main`: pipeline <[^>]+> passed — asked by <@U0ALICE01>/,
    );

    p.world!.wp.outcome = {
      status: "failure",
      step: "test",
      log: [`+ curl -H "Authorization: token ${gitea.botToken}" ${gitea.url}`, "not ok 1 - greets"],
    };
    await p.slash("build demo main");
    const failedCard = await nextCard();
    const failed = await p.inThread(failedCard.ts, /failure at step/);
    const text = blockLines(failed);
    expect(text).toMatch(/^:x: \*demo\* on `main`: pipeline <[^>]+\|#3> failure at step `test`/);
    expect(text).toContain("Last lines of `test` (ci):\n```\n");
    expect(text).toContain(`+ curl -H "Authorization: token [REDACTED]" ${gitea.url}`);
    expect(text).toContain("not ok 1 - greets");
    expect(text).not.toContain(gitea.botToken);
  });

  it("activation refused: ⚠ with the exact manual step, the repository kept; running it again finishes without duplicates", async () => {
    const { gitea, wp } = p.world!;
    wp.refuseActivation = { status: 403, text: "User has to be a admin of this repository" };
    await p.slash("project new billing");
    const card = await nextCard();
    const attention = blockLines(await p.cardMatching(card.ts, /Project \*billing\* needs attention/));
    expect(attention).toContain(`✓ *Repository*: <${gitea.url}/codethread-bot/billing|codethread-bot/billing>`);
    expect(attention).toContain(
      "⚠ *CI activated*: Woodpecker did not activate codethread-bot/billing: Woodpecker refused POST /api/repos (403): User has to be a admin of this repository.",
    );
    expect(attention).toContain(`— <${wp.url}/repos/add|Add repository>`);
    expect(attention).toContain(
      `↳ Activate codethread-bot/billing in Woodpecker by hand: open ${wp.url}/repos/add and enable it`,
    );
    expect(attention).toContain("– *Secrets*: waiting for CI activation");
    expect(attention).toContain("run `/agent project new billing --template node` again");
    const summary = await p.inThread(card.ts, /needs attention/);
    expect(blockLines(summary)).toContain(`open ${wp.url}/repos/add`);
    expect(gitea.repo("codethread-bot", "billing")).toBeDefined();

    wp.refuseActivation = undefined;
    await p.slash("project new billing");
    const again = await nextCard();
    await p.cardMatching(again.ts, /Project \*billing\* is ready/);
    expect(gitea.calls("POST", /^\/user\/repos$/).filter((c) => JSON.stringify(c).includes("billing"))).toHaveLength(1);
    expect(gitea.repo("codethread-bot", "billing")?.hooks).toHaveLength(1);
  });

  it("a taken name, a token without a scope, an unknown template, a non-admin: one clear sentence, nothing created", async () => {
    const { gitea } = p.world!;
    await gitea.seedRepo({ owner: "codethread-bot", name: "taken", description: "someone's" });
    await p.slash("project new taken");
    const card = await nextCard();
    const lines = blockLines(await p.cardMatching(card.ts, /Project \*taken\* was not created/));
    expect(lines).toContain(
      `✗ *Repository*: codethread-bot/taken already exists (${gitea.url}/codethread-bot/taken) and was not created by codethread: pick another name, or delete or rename that repository first.`,
    );

    gitea.setScopes(gitea.botToken, ["write:user", "read:repository", "read:organization"]);
    await p.slash("project new scoped");
    const scoped = await nextCard();
    const scopeLines = blockLines(await p.cardMatching(scoped.ts, /Project \*scoped\* was not created/));
    gitea.setScopes(gitea.botToken, ["write:repository", "write:user", "write:organization"]);
    expect(scopeLines).toMatch(
      /✗ \*Repository\*: The Gitea token lacks the write:repository scope \(POST \/user\/repos\): create a token for the bot user with write:repository, write:user and write:organization, and set GITEA_TOKEN/,
    );

    const before = gitea.calls().length;
    expect(await p.slash("project new svc --template rust")).toBe(
      'There is no template "rust": use one of node, go, or map it to a template repository in CODETHREAD_PROJECT_TEMPLATES.',
    );
    expect(await p.slash("project new svc --colour blue")).toMatch(/^Unknown option `--colour`\. Usage:/);
    expect(await p.slash("project new svc", { user_id: Bob })).toBe(
      "Only admins (CODETHREAD_ADMINS) can use `/agent project new`.",
    );
    expect(p.h.cards()).toHaveLength(cards);
    expect(gitea.calls().length).toBe(before);
    // The refusal is the answer; its audit record is written after it.
    await expect
      .poll(async () => (await listAudit(p.db)).filter((a) => a.action === "access.denied").at(0))
      .toMatchObject({ actor: Bob, detail: { what: "project new", reason: "admin" } });
  });

  it("`project use` binds the channel: each later thread there works in its own worktree of the project, fetched before each run", async () => {
    expect(await p.slash("project use nope")).toBe(
      'There is no project "nope": create it with `/agent project new nope`, or see `/agent project list`. Known projects: `billing`, `demo`.',
    );
    expect(await p.slash("project use demo")).toBe(
      `<#${Channel}> now works on project *demo*: each new thread here works on its own branch of its repository, and \`/agent build\` builds it. Threads already running keep their directory.`,
    );
    p.h.agent.script = () => ({ steps: [], answer: "Looked." });
    await p.h.slash("what is in here?");
    const run = await nextCard();
    await p.h.waitInThread(run.ts, (m) => m.text === "Looked.", "the answer");
    const worktree = (channel: string, ts: string) =>
      path.join(realpathSync(path.join(p.dataDir, "worktrees")), "demo", shortThreadId(`${TeamId}:${channel}:${ts}`));
    const clone = worktree(Channel, run.ts);
    expect(p.h.agent.requests.at(-1)?.workspace).toEqual({ kind: "local", directory: clone });
    expect(blockLines(run)).toContain("project *demo*");
    expect(JSON.parse(readFileSync(path.join(clone, "package.json"), "utf8")).name).toBe("demo");
    const copy = path.join(p.dataDir, "forge-copies", "demo.git");
    expect(readFileSync(path.join(copy, "config"), "utf8")).not.toContain(p.world!.gitea.botToken);

    // A commit lands on the forge; the next thread starts from it (fetched before the run).
    await pushCommit(`${p.world!.gitea.url}/codethread-bot/demo.git`, p.world!.gitea.botToken);
    await p.h.slash("and now?");
    const second = await nextCard();
    await p.h.waitInThread(second.ts, (m) => m.text === "Looked.", "the second answer");
    expect(p.h.agent.requests.at(-1)?.workspace).toEqual({ kind: "local", directory: worktree(Channel, second.ts) });
    expect(readFileSync(path.join(worktree(Channel, second.ts), "NOTES.md"), "utf8")).toBe("new\n");

    // `project=` names a project anywhere; an unknown one is refused with the known names.
    await p.h.slash("project=DEMO look", { channel_id: "C0OTHER01" });
    const other = await p.h.waitForCard(1, "C0OTHER01");
    await p.h.waitInThread(other.ts, (m) => m.text === "Looked.", "the answer elsewhere", "C0OTHER01");
    expect(p.h.agent.requests.at(-1)?.workspace).toEqual({ kind: "local", directory: worktree("C0OTHER01", other.ts) });
  });

  it("a thread whose branch has no changes: no Open pull request, and `@codethread pr` says so; only its starter or an admin may ask", async () => {
    p.h.agent.script = () => ({ steps: [], answer: "Nothing to change." });
    await p.h.slash("is anything wrong?");
    const run = await nextCard();
    const answer = await p.h.waitInThread(run.ts, (m) => m.text === "Nothing to change.", "the answer");
    expect(JSON.stringify(answer.blocks)).not.toContain("Open pull request");
    const mention = (user: string) =>
      p.h.event("event.app_mention.json", {
        text: `<@${p.h.fake.botUserId}> pr`,
        ts: nextTs(),
        thread_ts: run.ts,
        user,
        channel: Channel,
      });
    await mention(Bob);
    const refused = await p.h.fake.waitFor(
      () => p.h.fake.callsOf("chat.postEphemeral").find((c) => c.params.user === Bob),
      "the refusal",
    );
    expect(String(refused.params.text)).toContain("(who started this thread) or an admin can open its pull request");
    await mention(Alice);
    const none = await p.inThread(run.ts, /has no changes/);
    expect(blockLines(none)).toMatch(
      /This thread's branch `codethread\/[0-9a-f]{12}` has no changes: there is nothing to open a pull request for\./,
    );
    expect(p.world!.gitea.pulls("codethread-bot", "demo")).toEqual([]);
  });

  it("`project list`: name, repository link, CI status of the default branch, bound channels", async () => {
    const text = await p.slash("project list");
    const { gitea } = p.world!;
    expect(text).toContain(
      `• *demo* — <${gitea.url}/codethread-bot/demo|codethread-bot/demo> · CI :x: failing · <#${Channel}>`,
    );
    expect(text).toContain(
      `• *billing* — <${gitea.url}/codethread-bot/billing|codethread-bot/billing> · CI :white_check_mark: passing · no channel`,
    );
    expect(text).not.toContain("taken");
    expect(text).not.toContain("scoped");
  });

  it("every provision and build is in the audit log, and no token is in any Slack call or log line", async () => {
    const audit = await listAudit(p.db, { limit: 500 });
    const provisions = audit.filter((a) => a.action === "project.provision");
    expect(
      provisions.filter((a) => a.detail.phase === "finish").map((a) => [a.detail.project, a.detail.status]),
    ).toEqual(
      expect.arrayContaining([
        ["demo", "ready"],
        ["billing", "needs_attention"],
        ["billing", "ready"],
        ["taken", "failed"],
      ]),
    );
    const builds = audit.filter((a) => a.action === "project.build").map((a) => a.detail.status);
    expect(builds.sort()).toEqual(["failure", "success"]);
    expect(audit.some((a) => a.action === "project.use" && a.detail.project === "demo")).toBe(true);

    const recorded = p.recorded();
    expect(p.logLines.length).toBeGreaterThan(0);
    // (Slack's own token goes to Slack, in auth.test: it is not one of these.)
    for (const secret of [p.world!.gitea.botToken, p.world!.wp.token]) {
      expect(recorded).not.toContain(secret);
    }
  });
});
