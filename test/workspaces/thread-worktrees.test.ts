import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shortThreadId, threadBranch } from "../../src/workspaces/thread-id.js";
import { ThreadWorktrees } from "../../src/workspaces/thread-worktrees.js";
import { listWorktrees } from "../../src/workspaces/worktree-list.js";
import { ThreadA, ThreadB, useTestbed } from "./testbed.js";

const bed = useTestbed();

describe("a worktree and a branch per thread", () => {
  it("gives two threads on one project separate worktrees: neither sees the other's edit of the same file", async () => {
    const { git, worktrees, write, read } = bed();
    const project = await bed().project();
    const a = await worktrees.ensure(project, ThreadA);
    const b = await worktrees.ensure(project, ThreadB);
    expect(a.path).not.toBe(b.path);
    expect(a.branch).toBe(`codethread/${shortThreadId(ThreadA)}`);
    expect(b.branch).toBe(threadBranch(ThreadB));
    expect(a.branch).not.toBe(b.branch);

    write(a.path, "src/app.txt", "line 1\nthread A was here\nline 3\n");
    write(b.path, "src/app.txt", "line 1\nline 2\nline 3\nthread B appended\n");
    expect(read(a.path, "src/app.txt")).toBe("line 1\nthread A was here\nline 3\n");
    expect(read(b.path, "src/app.txt")).toBe("line 1\nline 2\nline 3\nthread B appended\n");

    // Committed work stays on each thread's own branch too.
    for (const [wt, who] of [
      [a, "A"],
      [b, "B"],
    ] as const) {
      await git.run(["commit", "-qam", `thread ${who}`], { cwd: wt.path });
    }
    const show = (branch: string) => git.text(["show", `${branch}:src/app.txt`], { cwd: project.repoDir });
    expect(await show(a.branch)).toContain("thread A was here");
    expect(await show(a.branch)).not.toContain("thread B");
    expect(await show(b.branch)).toContain("thread B appended");
    expect(await show("main")).toBe("line 1\nline 2\nline 3");
  });

  it("starts the thread's branch from the project's default branch and checks it out", async () => {
    const { git, worktrees } = bed();
    const project = await bed().project();
    const main = await git.text(["rev-parse", "main"], { cwd: project.repoDir });
    const wt = await worktrees.ensure(project, ThreadA);
    expect(wt.created).toBe(true);
    expect(wt.baseBranch).toBe("main");
    expect(await git.text(["rev-parse", "HEAD"], { cwd: wt.path })).toBe(main);
    expect(await git.text(["symbolic-ref", "--short", "HEAD"], { cwd: wt.path })).toBe(wt.branch);
    expect(bed().read(wt.path, "README.md")).toBe("# demo\n");
  });

  it("reuses the thread's worktree on later runs, at the same absolute path, with its edits", async () => {
    const { worktrees, write, read } = bed();
    const project = await bed().project();
    const first = await worktrees.ensure(project, ThreadA);
    write(first.path, "notes.md", "from run 1\n");
    const second = await worktrees.ensure(project, ThreadA);
    expect(second.created).toBe(false);
    expect(second.path).toBe(first.path);
    expect(path.isAbsolute(second.path)).toBe(true);
    expect(read(second.path, "notes.md")).toBe("from run 1\n");
    // Another instance (a restarted bot) finds the same directory.
    const again = await new ThreadWorktrees({ root: path.join(bed().dataDir, "worktrees"), git: bed().git }).ensure(
      project,
      ThreadA,
    );
    expect(again).toMatchObject({ path: first.path, created: false });
  });

  it("gives the canonical path even when the data directory is reached through a symlink", async () => {
    const { git, root } = bed();
    const project = await bed().project();
    const link = path.join(root, "data-link");
    symlinkSync(bed().dataDir, link);
    const wt = await new ThreadWorktrees({ root: path.join(link, "worktrees"), git }).ensure(project, ThreadA);
    expect(wt.path).toBe(realpathSync(wt.path));
    expect(wt.path.startsWith(link)).toBe(false);
  });

  it("survives two creations on one project at once, including the same thread twice", async () => {
    const { git, worktrees } = bed();
    const project = await bed().project();
    const other = new ThreadWorktrees({ root: path.join(bed().dataDir, "worktrees"), git });
    const keys = Array.from({ length: 6 }, (_, i) => `T1:C2:17000000${i}0.000001`);
    const made = await Promise.all([
      ...keys.map((k, i) => (i % 2 ? worktrees : other).ensure(project, k)),
      worktrees.ensure(project, keys[0]!),
      other.ensure(project, keys[0]!),
    ]);
    expect(new Set(made.map((m) => m.path)).size).toBe(keys.length);
    expect(made.filter((m) => m.path === made[0]!.path && m.created)).toHaveLength(1);
    const listed = await listWorktrees(git, project.repoDir);
    expect(listed.filter((e) => e.path.startsWith(worktrees.projectDir(project)))).toHaveLength(keys.length);
    expect(await worktrees.list(project)).toHaveLength(keys.length);
    const fsck = await git.run(["fsck", "--no-progress"], { cwd: project.repoDir });
    expect(fsck.code).toBe(0);
    for (const m of made) expect(await git.text(["symbolic-ref", "--short", "HEAD"], { cwd: m.path })).toBe(m.branch);
  });

  it("brings back a worktree deleted by hand, on the thread's branch with its commits", async () => {
    const { git, worktrees, write } = bed();
    const project = await bed().project();
    const wt = await worktrees.ensure(project, ThreadA);
    write(wt.path, "kept.txt", "committed\n");
    await git.run(["add", "kept.txt"], { cwd: wt.path });
    await git.run(["commit", "-qm", "keep me"], { cwd: wt.path });
    rmSync(wt.path, { recursive: true, force: true });
    const back = await worktrees.ensure(project, ThreadA);
    expect(back).toMatchObject({ path: wt.path, created: true, branch: wt.branch });
    expect(bed().read(back.path, "kept.txt")).toBe("committed\n");
  });

  it("refuses a directory in the worktree's place that is not the thread's worktree", async () => {
    const { worktrees } = bed();
    const project = await bed().project();
    const dir = worktrees.pathFor(project, ThreadA);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "stray.txt"), "not git\n");
    await expect(worktrees.ensure(project, ThreadA)).rejects.toMatchObject({ code: "worktree_path_taken" });
    expect(existsSync(path.join(dir, "stray.txt"))).toBe(true);
  });

  it("says a project without a first commit cannot host threads", async () => {
    const { git, worktrees, root } = bed();
    const repoDir = path.join(root, "empty.git");
    await git.run(["init", "--bare", "-q", repoDir], { cwd: root });
    await expect(worktrees.ensure({ name: "empty", repoDir }, ThreadA)).rejects.toMatchObject({
      code: "project_empty",
    });
  });

  it("keeps thread keys out of paths and branch names whatever they contain", async () => {
    const { worktrees } = bed();
    const project = await bed().project();
    const wt = await worktrees.ensure(project, "T1:C1:../../etc; rm -rf / $(id)");
    expect(wt.branch).toMatch(/^codethread\/[0-9a-f]{12}$/);
    expect(path.dirname(wt.path)).toBe(worktrees.projectDir(project));
  });
});
