import { execFileSync } from "node:child_process";
import { realpathSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "../../src/store/audit.js";
import { shortThreadId, threadBranch } from "../../src/workspaces/thread-id.js";
import { blockLines, ProjectHarness } from "../support/project-harness.js";
import { Alice, Channel } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

describe("projects with no forge configured (the embedded default)", () => {
  let p: ProjectHarness;
  let cards = 0;
  beforeAll(async () => {
    p = await ProjectHarness.start({ forge: false });
  });
  afterAll(async () => {
    await p.stop();
  });
  const nextCard = () => p.card(++cards);

  it("`project new` makes a local git repository from the template and says how to connect Gitea and Woodpecker", async () => {
    await p.slash("project new notes --template go");
    const card = await nextCard();
    const dir = path.join(p.dataDir, "projects", "notes");
    const lines = blockLines(await p.cardMatching(card.ts, /Project \*notes\* is ready/));
    expect(lines).toContain(`✓ *Repository*: local repository ${dir}`);
    expect(lines).toMatch(
      /– \*CI activated\*: no forge is configured, so this is a local repository\. To get a forge repository and CI, connect Gitea and Woodpecker \(README, "Connect Gitea and Woodpecker"\): set GITEA_URL, GITEA_TOKEN, WOODPECKER_URL and WOODPECKER_API_TOKEN\./,
    );
    await p.inThread(card.ts, /Project \*notes\* is ready/);
    expect(execFileSync("git", ["log", "--format=%s"], { cwd: dir, encoding: "utf8" })).toBe(
      "Start from codethread's go template\n",
    );

    expect(await p.slash("build notes")).toBe(
      'Project notes cannot be built: it is a local repository. Connect Gitea and Woodpecker (README, "Connect Gitea and Woodpecker") to get CI.',
    );
    expect(p.h.cards()).toHaveLength(cards);
  });

  it("a bound channel's runs work in the project's repository; a thread keeps its directory after the channel is rebound", async () => {
    expect(await p.slash("project use NOTES")).toBe(
      `<#${Channel}> now works on project *notes*: each new thread here works on its own branch of its local repository. Threads already running keep their directory.`,
    );
    p.h.agent.script = (r) => ({ steps: [], answer: `ran: ${r.prompt}` });
    await p.h.slash("list the files");
    const run = await nextCard();
    await p.h.waitInThread(run.ts, (m) => m.text === "ran: list the files", "the answer");
    const worktree = (project: string, ts: string) => ({
      kind: "local",
      directory: path.join(
        realpathSync(path.join(p.dataDir, "worktrees")),
        project,
        shortThreadId(`T0AGENT01:${Channel}:${ts}`),
      ),
    });
    const notes = worktree("notes", run.ts);
    expect(p.h.agent.requests.at(-1)?.workspace).toEqual(notes);

    await p.slash("project new other");
    const other = await nextCard();
    await p.cardMatching(other.ts, /Project \*other\* is ready/);
    await p.slash("project use other");

    await p.h.event("event.message.thread_reply.json", {
      text: "and the tests?",
      ts: nextTs(),
      thread_ts: run.ts,
      user: Alice,
      channel: Channel,
    });
    await p.h.waitInThread(run.ts, (m) => m.text === "ran: and the tests?", "the reply's answer");
    expect(p.h.agent.requests.at(-1)?.workspace).toEqual(notes);

    await p.h.slash("and here?");
    const fresh = await nextCard();
    await p.h.waitInThread(fresh.ts, (m) => m.text === "ran: and here?", "the new run's answer");
    expect(p.h.agent.requests.at(-1)?.workspace).toEqual(worktree("other", fresh.ts));
    const list = await p.slash("project list");
    expect(list).toContain(
      `• *notes* — local repository \`${path.join(p.dataDir, "projects", "notes")}\` · no CI (local) · no channel`,
    );
    expect(list).toContain(`• *other* — local repository`);
    expect(list).toContain(`<#${Channel}>`);

    const audit = await listAudit(p.db, { limit: 500 });
    expect(audit.filter((a) => a.action === "project.use").map((a) => a.detail.project)).toEqual(["other", "notes"]);
    expect(audit.some((a) => a.action === "project.build" && a.detail.outcome === "error")).toBe(false);
  });

  it("a run that changes files: committed on the thread's local branch, the final message says how to fetch it", async () => {
    await p.slash("project use notes");
    p.h.agent.script = (r) => {
      if (r.workspace.kind === "local") writeFileSync(path.join(r.workspace.directory, "TODO.md"), "- ship it\n");
      return { steps: [], answer: "Wrote the list." };
    };
    await p.h.slash("write a todo list");
    const run = await nextCard();
    const key = `T0AGENT01:${Channel}:${run.ts}`;
    const branch = threadBranch(key);
    const answer = await p.h.waitInThread(run.ts, (m) => m.text === "Wrote the list.", "the answer");
    const lines = blockLines(answer);
    expect(lines).toContain(`*Changed on \`${branch}\`:* 1 file changed, +1 −0`);
    expect(lines).toContain("TODO.md");
    const repo = path.join(p.dataDir, "projects", "notes");
    expect(lines).toContain(`git fetch ${repo} ${branch}\ngit switch -c ${branch} FETCH_HEAD`);
    expect(JSON.stringify(answer.blocks)).not.toContain("Open pull request");
    // Committed on the branch in the project's repository (its main untouched), the requester as author.
    const show = execFileSync("git", ["log", "-1", "--format=%an|%s", branch], { cwd: repo, encoding: "utf8" });
    expect(show).toBe("alice|write a todo list\n");
    expect(execFileSync("git", ["show", `${branch}:TODO.md`], { cwd: repo, encoding: "utf8" })).toBe("- ship it\n");
    expect(execFileSync("git", ["ls-tree", "--name-only", "main"], { cwd: repo, encoding: "utf8" })).not.toContain(
      "TODO.md",
    );

    // `@codethread pr` there: no forge, the branch stays local.
    await p.h.event("event.app_mention.json", {
      text: `<@${p.h.fake.botUserId}> pr`,
      ts: nextTs(),
      thread_ts: run.ts,
      user: Alice,
      channel: Channel,
    });
    const local = await p.inThread(run.ts, /This project has no forge: the branch/);
    expect(blockLines(local)).toContain(`the branch \`${branch}\` stays local`);
  });
});

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a forge that does not answer", () => {
  it("says so in one sentence on the card, and records the attempt", async () => {
    const port = await closedPort();
    const p = await ProjectHarness.start({
      forge: false,
      env: { GITEA_URL: `http://127.0.0.1:${port}`, GITEA_TOKEN: "gitea-token-never-logged" },
    });
    try {
      await p.slash("project new api");
      const card = await p.card(1);
      const lines = blockLines(await p.cardMatching(card.ts, /Project \*api\* was not created/));
      expect(lines).toMatch(
        new RegExp(
          `✗ \\*Repository\\*: Gitea at http://127\\.0\\.0\\.1:${port} did not answer GET /\\S+ \\(.+\\): check the URL and that the server is up\\.`,
        ),
      );
      const audit = await listAudit(p.db);
      expect(audit.find((a) => a.action === "project.provision" && a.detail.phase === "finish")?.detail).toMatchObject({
        project: "api",
        status: "failed",
      });
      expect(p.recorded()).not.toContain("gitea-token-never-logged");
    } finally {
      await p.stop();
    }
  });
});
