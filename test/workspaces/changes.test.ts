import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { boundStat, describeChanges } from "../../src/workspaces/changes.js";
import { ThreadA, useTestbed } from "./testbed.js";

const bed = useTestbed();

async function freshWorktree() {
  const project = await bed().project();
  return (await bed().worktrees.ensure(project, ThreadA)).path;
}

describe("what a run changed", () => {
  it("says there are no changes when the run changed nothing (a distinct result)", async () => {
    const dir = await freshWorktree();
    expect(await describeChanges(bed().git, dir)).toEqual({ kind: "none" });
  });

  it("lists edits, deletions, renames, binary and untracked files with their line counts", async () => {
    const { git, write } = bed();
    const dir = await freshWorktree();
    write(dir, "src/app.txt", "line 1\nline two\nline 3\nline 4\n");
    rmSync(path.join(dir, "README.md"));
    write(dir, "docs/new guide.md", "# Guide\n\nStep one.\n"); // untracked, in a new directory, with a space
    writeFileSync(path.join(dir, "logo.bin"), Buffer.from([0, 1, 2, 0, 255]));
    write(dir, "ignored.log", "noise\n");
    write(dir, ".gitignore", "*.log\n");
    const statusBefore = await git.text(["status", "--porcelain"], { cwd: dir });

    const changes = await describeChanges(git, dir);
    if (changes.kind !== "changed") throw new Error("expected changes");
    const byPath = Object.fromEntries(changes.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual([
      ".gitignore",
      "README.md",
      "docs/new guide.md",
      "logo.bin",
      "src/app.txt",
    ]);
    expect(byPath["src/app.txt"]).toMatchObject({ status: "modified", insertions: 2, deletions: 1, binary: false });
    expect(byPath["README.md"]).toMatchObject({ status: "deleted", insertions: 0, deletions: 1 });
    expect(byPath["docs/new guide.md"]).toMatchObject({ status: "added", insertions: 3, deletions: 0 });
    expect(byPath["logo.bin"]).toMatchObject({ status: "added", binary: true });
    expect(changes.fileCount).toBe(5);
    expect(changes.insertions).toBe(2 + 3 + 1);
    expect(changes.deletions).toBe(2);
    expect(changes.stat).toMatch(/src\/app\.txt +\| +3 \+\+-/);
    expect(changes.stat).toMatch(/docs\/new guide\.md +\| +3 \+\+\+/);
    expect(changes.stat.trimEnd().split("\n").at(-1)).toBe(" 5 files changed, 6 insertions(+), 2 deletions(-)");
    expect(changes.statTruncated).toBe(false);
    expect(changes.fullStat).toBeUndefined();

    // Reading the changes left the worktree's index alone: untracked files are still untracked.
    expect(await git.text(["status", "--porcelain"], { cwd: dir })).toBe(statusBefore);
    expect(statusBefore).toContain("?? docs/");
  });

  it("sees a rename as a rename", async () => {
    const { git } = bed();
    const dir = await freshWorktree();
    await git.run(["mv", "src/app.txt", "src/main.txt"], { cwd: dir });
    const changes = await describeChanges(git, dir);
    expect(changes.kind === "changed" && changes.files).toEqual([
      { status: "renamed", oldPath: "src/app.txt", path: "src/main.txt", insertions: 0, deletions: 0, binary: false },
    ]);
  });

  it("cuts a long stat to fit Slack and keeps the whole text for an attachment", async () => {
    const { git, write } = bed();
    const dir = await freshWorktree();
    for (let i = 0; i < 60; i++) write(dir, `gen/file-${String(i).padStart(2, "0")}.txt`, `${i}\n`);
    const changes = await describeChanges(git, dir, { statMaxLines: 10 });
    if (changes.kind !== "changed") throw new Error("expected changes");
    const lines = changes.stat.trimEnd().split("\n");
    expect(lines).toHaveLength(10);
    expect(lines.at(-2)).toBe(" … and 52 more files");
    expect(lines.at(-1)).toBe(" 60 files changed, 60 insertions(+)");
    expect(changes.statTruncated).toBe(true);
    expect(changes.fullStat?.trimEnd().split("\n")).toHaveLength(61);
    expect(changes.fileCount).toBe(60);
  });

  it("describes the whole branch (commits and uncommitted work) since the default branch", async () => {
    const { git, write } = bed();
    const dir = await freshWorktree();
    write(dir, "a.txt", "committed\n");
    await git.run(["add", "a.txt"], { cwd: dir });
    await git.run(["commit", "-qm", "a"], { cwd: dir });
    expect(await describeChanges(git, dir)).toEqual({ kind: "none" });
    write(dir, "b.txt", "not yet\n");
    const branch = await describeChanges(git, dir, { since: "main" });
    expect(branch.kind === "changed" && branch.files.map((f) => f.path)).toEqual(["a.txt", "b.txt"]);
    const fresh = (await bed().worktrees.ensure(await bed().project(), "T9:C9:1.2")).path;
    expect(await describeChanges(git, fresh, { since: "main" })).toEqual({ kind: "none" });
  });
});

describe("boundStat", () => {
  it("keeps the summary line and stays under the character bound", () => {
    const files = Array.from({ length: 40 }, (_, i) => ` ${"x".repeat(60)}${i} | 1 +`);
    const text = `${[...files, " 40 files changed, 40 insertions(+)"].join("\n")}\n`;
    const cut = boundStat(text, 100, 500);
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThan(500);
    expect(cut.text.trimEnd().split("\n").at(-1)).toBe(" 40 files changed, 40 insertions(+)");
    expect(boundStat(text, 100, 10_000)).toEqual({ text, truncated: false });
  });
});
