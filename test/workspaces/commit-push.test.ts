import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/secret.js";
import {
  authorName,
  commitMessage,
  commitWorktree,
  noreplyEmail,
  pushBranch,
} from "../../src/workspaces/commit-push.js";
import { ErrPushRejected } from "../../src/workspaces/errors.js";
import { ensureLocalProject } from "../../src/workspaces/local-projects.js";
import { forgeCopyDir, type ProjectRepository } from "../../src/workspaces/project.js";
import { type Remote, syncProject } from "../../src/workspaces/remote.js";
import { basicAuthHeader, type GitHttpServer, serveGitHttp } from "../support/git-http-server.js";
import { filesContaining, ThreadA, useTestbed } from "./testbed.js";

const bed = useTestbed();
const Token = "gta_5ecret0123456789abcdefTOKEN";
const BotLogin = "codethread-bot";
const Encoded = Buffer.from(`${BotLogin}:${Token}`).toString("base64");
const ThreadUrl = "https://acme.slack.com/archives/C1/p1712345678000100";

let server: GitHttpServer;
let forgeRoot: string;
let forgeRepo: string;
let remote: Remote;
let project: ProjectRepository;

beforeEach(async () => {
  const { git, root, dataDir } = bed();
  forgeRoot = path.join(root, "forge");
  // The forge's repository: a project with a first commit, served over HTTP behind the token.
  forgeRepo = (
    await ensureLocalProject(git, { dataDir: forgeRoot, name: "demo", templateDir: path.join(root, "template") })
  ).project.repoDir;
  server = await serveGitHttp(forgeRoot, { requireAuth: basicAuthHeader(BotLogin, Token) });
  remote = {
    url: `${server.url}/projects/demo`,
    auth: { kind: "basic", username: BotLogin, password: new Secret(Token) },
  };
  // The bot's copy of it under the data directory, fetched with the token.
  const repoDir = forgeCopyDir(dataDir, "demo");
  expect(await syncProject(git, repoDir, remote)).toBe("main");
  project = { name: "demo", repoDir };
});
afterEach(() => server.close());

async function editedWorktree() {
  const wt = await bed().worktrees.ensure(project, ThreadA);
  bed().write(wt.path, "src/app.txt", "line 1\nchanged by the agent\nline 3\n");
  bed().write(wt.path, "NEW.md", "new file\n");
  return wt;
}

const author = { name: "Ada Lovelace", email: noreplyEmail("U024BE7LH", "users.noreply.invalid") };

describe("commit the worktree", () => {
  it("commits everything as the Slack user, with the bot as committer and a trailer linking the thread", async () => {
    const { git } = bed();
    const wt = await editedWorktree();
    const result = await commitWorktree(git, wt.path, {
      author,
      message: "Fix the greeting\n\n# Prompt\nmake it say hello",
      trailers: { "Slack-Thread": ThreadUrl },
    });
    expect(result.kind).toBe("committed");
    const fmt = (f: string) => git.text(["log", "-1", `--format=${f}`], { cwd: wt.path });
    expect(await fmt("%an <%ae>")).toBe("Ada Lovelace <u024be7lh@users.noreply.invalid>");
    expect(await fmt("%cn <%ce>")).toBe("codethread <codethread@users.noreply.invalid>");
    expect(await fmt("%B")).toBe(`Fix the greeting\n\n# Prompt\nmake it say hello\n\nSlack-Thread: ${ThreadUrl}\n`);
    expect((await fmt("%(trailers:key=Slack-Thread,valueonly)")).trim()).toBe(ThreadUrl);
    expect(await git.text(["show", "--name-only", "--format=", "HEAD"], { cwd: wt.path })).toBe("NEW.md\nsrc/app.txt");
    expect(await git.text(["status", "--porcelain"], { cwd: wt.path })).toBe("");
  });

  it("says when there is nothing to commit", async () => {
    const wt = await bed().worktrees.ensure(project, ThreadA);
    const r = await commitWorktree(bed().git, wt.path, { author, message: "x" });
    expect(r).toEqual({ kind: "nothing_to_commit", head: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it("never runs hooks the agent wrote into the repository", async () => {
    const { git } = bed();
    const wt = await editedWorktree();
    const hooks = path.join(project.repoDir, "hooks");
    const marker = path.join(bed().root, "hook-ran");
    for (const hook of ["pre-commit", "commit-msg", "post-commit", "pre-push"]) {
      writeFileSync(path.join(hooks, hook), `#!/bin/sh\nenv >> '${marker}'\n`);
      chmodSync(path.join(hooks, hook), 0o755);
    }
    await commitWorktree(git, wt.path, { author, message: "with hooks present" });
    await pushBranch(git, wt.path, remote, wt.branch);
    expect(existsSync(marker)).toBe(false);
  });

  it("keeps the host's global git config out of commits", async () => {
    const { git, root } = bed();
    const xdg = path.join(root, "xdg");
    mkdirSync(path.join(xdg, "git"), { recursive: true });
    writeFileSync(
      path.join(xdg, "git", "config"),
      "[user]\n\tname = Intruder\n\temail = intruder@example.com\n[core]\n\tautocrlf = input\n",
    );
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = xdg;
    try {
      const wt = await editedWorktree();
      bed().write(wt.path, "windows.txt", "kept as written\r\n");
      await commitWorktree(git, wt.path, { author, message: "identity" });
      const who = await git.text(["log", "-1", "--format=%an|%cn|%ce"], { cwd: wt.path });
      expect(who).toBe("Ada Lovelace|codethread|codethread@users.noreply.invalid");
      // core.autocrlf from the host's config would have rewritten the line ending in the commit.
      expect((await git.run(["cat-file", "-p", "HEAD:windows.txt"], { cwd: wt.path })).stdout).toBe(
        "kept as written\r\n",
      );
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });

  it("makes author names and messages safe for git", () => {
    expect(authorName("Ada <ada@x>\nLovelace")).toBe("Ada ada@x Lovelace");
    expect(authorName("  \u0007 ")).toBe("Slack user");
    expect(commitMessage("one line only", { "Slack-Thread": "https://x/y\nInjected: yes" })).toBe(
      "one line only\n\nSlack-Thread: https://x/y Injected: yes\n",
    );
    expect(commitMessage(`${"long ".repeat(30)}\0`).split("\n")[0]).toHaveLength(72);
  });
});

describe("push the thread's branch over HTTP with the forge token", () => {
  it("pushes to the forge with the Authorization header and records what was pushed", async () => {
    const { git } = bed();
    const wt = await editedWorktree();
    const committed = await commitWorktree(git, wt.path, {
      author,
      message: "Change",
      trailers: { "Slack-Thread": ThreadUrl },
    });
    const pushed = await pushBranch(git, wt.path, remote, wt.branch);
    expect(pushed).toEqual({
      kind: "pushed",
      commit: committed.kind === "committed" && committed.commit,
      newBranch: true,
    });
    expect(await git.text(["rev-parse", wt.branch], { cwd: forgeRepo })).toBe(pushed.commit);
    expect(await git.text(["rev-parse", `refs/remotes/origin/${wt.branch}`], { cwd: wt.path })).toBe(pushed.commit);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.auth === "ok")).toBe(true);
    expect(server.requests.some((r) => r.path.endsWith("/git-receive-pack") && r.status === 200)).toBe(true);

    expect(await pushBranch(git, wt.path, remote, wt.branch)).toEqual({ kind: "up_to_date", commit: pushed.commit });
    bed().write(wt.path, "more.txt", "fix the build\n");
    const second = await commitWorktree(git, wt.path, { author, message: "Fix the build" });
    const again = await pushBranch(git, wt.path, remote, wt.branch);
    expect(again).toMatchObject({
      kind: "pushed",
      newBranch: false,
      commit: second.kind === "committed" && second.commit,
    });
  });

  it("leaves the token nowhere: not in .git/config, the worktree, any file of the data directory, or the logs", async () => {
    const { git, dataDir, logLines } = bed();
    const wt = await editedWorktree();
    await commitWorktree(git, wt.path, { author, message: "Change" });
    await pushBranch(git, wt.path, remote, wt.branch);
    await syncProject(git, project.repoDir, remote);
    for (const needle of [Token, Encoded]) {
      expect(filesContaining(dataDir, needle)).toEqual([]);
      expect(filesContaining(forgeRoot, needle)).toEqual([]);
      expect(logLines.join("")).not.toContain(needle);
    }
    const config = await git.text(["config", "--list", "--show-origin"], { cwd: wt.path });
    expect(config).not.toContain(Token);
    expect(config).not.toMatch(/extraheader/i);
    expect(await git.text(["config", "--get", "remote.origin.url"], { cwd: project.repoDir })).toBe(remote.url);
    expect(logLines.some((l) => l.includes('"push"'))).toBe(true); // the push was logged, argv and all
  });

  it("names a refused token, without the token in the error or the logs", async () => {
    const { git, logLines } = bed();
    const wt = await editedWorktree();
    await commitWorktree(git, wt.path, { author, message: "Change" });
    const wrong = "gta_wrongwrongwrong0123456789";
    const bad: Remote = { url: remote.url, auth: { kind: "bearer", token: new Secret(wrong) } };
    const err = await pushBranch(git, wt.path, bad, wt.branch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrPushRejected);
    expect(err).toMatchObject({ code: "push_rejected", reason: "unauthorized" });
    const shown = `${String(err)} ${JSON.stringify((err as ErrPushRejected).context)} ${inspect(err)} ${logLines.join("")}`;
    expect(shown).not.toContain(wrong);
    expect(shown).not.toContain(Token);
    const none = await pushBranch(git, wt.path, { url: remote.url, auth: { kind: "none" } }, wt.branch).catch((e) => e);
    expect(none).toMatchObject({ reason: "unauthorized" });
    expect(server.requests.some((r) => r.auth === "wrong")).toBe(true);
    expect(server.requests.some((r) => r.auth === "missing")).toBe(true);
  });

  it("says the branch moved on the forge when the push is not a fast-forward", async () => {
    const { git, root } = bed();
    const wt = await editedWorktree();
    await commitWorktree(git, wt.path, { author, message: "mine" });
    // Someone else pushes the same branch name first, from an unrelated clone.
    const other = path.join(root, "other");
    await git.run(["clone", "-q", forgeRepo, other], { cwd: root });
    await git.run(["commit", "-q", "--allow-empty", "-m", "theirs"], { cwd: other });
    await git.run(["push", "-q", "origin", `HEAD:refs/heads/${wt.branch}`], { cwd: other });
    await expect(pushBranch(git, wt.path, remote, wt.branch)).rejects.toMatchObject({ reason: "non_fast_forward" });
  });

  it("refuses a remote URL with credentials in it before running git", async () => {
    const wt = await editedWorktree();
    const url = `http://${BotLogin}:${Token}@127.0.0.1:1/projects/demo`;
    const err = await pushBranch(bed().git, wt.path, { url, auth: { kind: "none" } }, wt.branch).catch((e) => e);
    expect(err).toMatchObject({ code: "credentials_in_url" });
    expect(String(err)).not.toContain(Token);
  });
});
