import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runToEnd } from "../../src/process/capture.js";
import type { Project } from "../../src/store/projects.js";
import { commitWorktree } from "../../src/workspaces/commit-push.js";
import {
  ensureLocalProject,
  fetchInstructions,
  localProjectDir,
  openProjectPath,
} from "../../src/workspaces/local-projects.js";
import { forgeCopyDir, projectRepository } from "../../src/workspaces/project.js";
import { ThreadA, useTestbed } from "./testbed.js";

const bed = useTestbed();

describe("local projects (no forge)", () => {
  it("creates a repository under the data directory from a template, once", async () => {
    const { git, dataDir, root } = bed();
    const template = path.join(root, "template");
    const first = await ensureLocalProject(git, { dataDir, name: "billing", templateDir: template });
    expect(first.created).toBe(true);
    expect(first.project).toEqual({
      name: "billing",
      repoDir: localProjectDir(dataDir, "billing"),
      defaultBranch: "main",
    });
    expect(first.project.repoDir).toBe(path.join(dataDir, "projects", "billing")); // as src/ci/provision makes them
    const cwd = first.project.repoDir;
    expect(await git.text(["ls-tree", "-r", "--name-only", "main"], { cwd })).toBe("README.md\nsrc/app.txt");
    expect(await git.text(["log", "--format=%s|%an", "main"], { cwd })).toBe(
      "Create billing from template template|codethread",
    );
    const head = await git.text(["rev-parse", "main"], { cwd });
    const again = await ensureLocalProject(git, { dataDir, name: "billing", templateDir: template });
    expect(again.created).toBe(false);
    expect(await git.text(["rev-parse", "main"], { cwd })).toBe(head);
    expect(await git.text(["symbolic-ref", "HEAD"], { cwd })).toBe("refs/heads/main");
    expect(await git.text(["status", "--porcelain"], { cwd })).toBe(""); // main checked out, clean
  });

  it("finishes a project a failure left without its first commit", async () => {
    const { git, dataDir } = bed();
    const repoDir = localProjectDir(dataDir, "half");
    mkdirSync(repoDir, { recursive: true });
    await git.run(["init", "-q", repoDir], { cwd: repoDir });
    const r = await ensureLocalProject(git, { dataDir, name: "half" });
    expect(r.created).toBe(true);
    expect(await git.text(["ls-tree", "main"], { cwd: repoDir })).toBe(""); // an empty first commit
    const wt = await bed().worktrees.ensure(r.project, ThreadA);
    expect(wt.created).toBe(true);
  });

  it("refuses names that are not safe directory and branch names, and a template that is not a directory", async () => {
    const { git, dataDir, root } = bed();
    for (const name of ["../escape", "a/b", "x.git", "-flag", ".hidden", "a..b", "x.lock", "", "a".repeat(101)]) {
      await expect(ensureLocalProject(git, { dataDir, name }), name).rejects.toMatchObject({
        code: "project_name_invalid",
      });
    }
    expect((await ensureLocalProject(git, { dataDir, name: "Billing_API.v2" })).created).toBe(true);
    await expect(
      ensureLocalProject(git, { dataDir, name: "ok", templateDir: path.join(root, "template", "README.md") }),
    ).rejects.toMatchObject({ code: "project_not_found" });
  });

  it("takes rendered template files, refuses paths leaving the repository, and never overwrites a stranger's directory", async () => {
    const { git, dataDir } = bed();
    const files = [
      { path: "package.json", content: Buffer.from('{"name":"svc"}\n') },
      { path: "test/a.test.js", content: "ok\n" },
    ];
    const { project } = await ensureLocalProject(git, { dataDir, name: "svc", files, message: "Start from node" });
    const cwd = project.repoDir;
    expect(await git.text(["ls-tree", "-r", "--name-only", "main"], { cwd })).toBe("package.json\ntest/a.test.js");
    expect(await git.text(["log", "--format=%s"], { cwd })).toBe("Start from node");
    const outside = [{ path: "../outside.txt", content: "x" }];
    await expect(ensureLocalProject(git, { dataDir, name: "esc", files: outside })).rejects.toMatchObject({
      code: "project_not_found",
    });
    const stranger = localProjectDir(dataDir, "taken");
    mkdirSync(stranger, { recursive: true });
    bed().write(stranger, "mine.txt", "keep\n");
    await expect(ensureLocalProject(git, { dataDir, name: "taken" })).rejects.toMatchObject({
      code: "project_not_found",
    });
    expect(bed().read(stranger, "mine.txt")).toBe("keep\n");
  });

  it("tells people how to fetch a thread's branch, and the commands work (even with a space in the path)", async () => {
    const { git, root } = bed();
    const dataDir = path.join(root, "data dir");
    const { project } = await ensureLocalProject(git, {
      dataDir,
      name: "demo",
      templateDir: path.join(root, "template"),
    });
    const wt = await bed().worktrees.ensure(project, ThreadA);
    bed().write(wt.path, "feature.txt", "done\n");
    await commitWorktree(git, wt.path, { author: { name: "Ada", email: "u1@x.invalid" }, message: "Feature" });

    const text = fetchInstructions(project.repoDir, wt.branch);
    expect(text).toBe(`git fetch '${project.repoDir}' ${wt.branch}\ngit switch -c ${wt.branch} FETCH_HEAD`);
    const mine = path.join(root, "my-clone");
    await git.run(["clone", "-q", project.repoDir, mine], { cwd: root });
    const ran = await runToEnd({ bin: "sh", args: ["-ec", text], cwd: mine, env: git.baseEnv() });
    expect(ran.exit.code).toBe(0);
    expect(bed().read(mine, "feature.txt")).toBe("done\n");
  });

  it("maps stored projects to their repositories: a local one is its path, a forge one its copy", () => {
    const stored = { name: "demo", defaultBranch: "trunk", cloneUrl: "/srv/data/projects/demo" } as const;
    expect(projectRepository({ ...stored, location: "local" } as Project, "/srv/data")).toEqual({
      name: "demo",
      repoDir: "/srv/data/projects/demo",
      defaultBranch: "trunk",
    });
    expect(
      projectRepository({ ...stored, location: "forge", cloneUrl: "https://git/x/demo.git" } as Project, "/srv/data"),
    ).toEqual({
      name: "demo",
      repoDir: forgeCopyDir("/srv/data", "demo"),
      defaultBranch: "trunk",
    });
    expect(forgeCopyDir("/srv/data", "demo")).toBe("/srv/data/forge-copies/demo.git");
  });

  it("opens an existing repository at a path as a project", async () => {
    const { git, root } = bed();
    const dir = path.join(root, "My Service");
    await git.run(["init", "-q", dir], { cwd: root });
    expect(await openProjectPath(git, dir)).toEqual({ name: "My-Service", repoDir: dir });
    rmSync(path.join(dir, ".git"), { recursive: true });
    await expect(openProjectPath(git, dir)).rejects.toMatchObject({ code: "project_not_found" });
  });
});
