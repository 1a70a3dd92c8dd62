import { existsSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { commitWorktree, pushBranch } from "../../src/workspaces/commit-push.js";
import { diskReportLines } from "../../src/workspaces/disk-report.js";
import { ensureLocalProject } from "../../src/workspaces/local-projects.js";
import { forgeCopyDir, type ProjectRepository } from "../../src/workspaces/project.js";
import { assessProject, type PrunePolicy, pruneProject } from "../../src/workspaces/prune.js";
import { type Remote, syncProject } from "../../src/workspaces/remote.js";
import { useTestbed } from "./testbed.js";

const bed = useTestbed();
const Day = 86_400_000;
const Now = new Date("2026-11-20T12:00:00Z");
const author = { name: "Ada", email: "u1@users.noreply.invalid" };

let project: ProjectRepository;
let remote: Remote;

beforeEach(async () => {
  const { git, root, dataDir } = bed();
  const forge = await ensureLocalProject(git, {
    dataDir: path.join(root, "forge"),
    name: "demo",
    templateDir: path.join(root, "template"),
  });
  remote = { url: forge.project.repoDir, auth: { kind: "none" } };
  const repoDir = forgeCopyDir(dataDir, "demo");
  await syncProject(git, repoDir, remote);
  project = { name: "demo", repoDir };
});

/** A thread's worktree in a given state. */
async function thread(key: string, state: "pushed" | "unpushed" | "dirty" | "empty" | "committed") {
  const { git, worktrees, write } = bed();
  const wt = await worktrees.ensure(project, key);
  if (state === "empty") return wt;
  write(wt.path, `${state}.txt`, `${key}\n`);
  if (state === "dirty") return wt;
  await commitWorktree(git, wt.path, { author, message: state });
  if (state === "pushed") await pushBranch(git, wt.path, remote, wt.branch);
  return wt;
}

function policy(activity: Record<string, Date>, over: Partial<PrunePolicy> = {}): PrunePolicy {
  return {
    idleMs: 7 * Day,
    lastActivity: (key) => activity[key],
    isPinned: () => false,
    now: () => Now,
    ...over,
  };
}

const daysAgo = (n: number) => new Date(Now.getTime() - n * Day);

describe("pruning idle thread worktrees", () => {
  it("prunes quiet pushed and quiet empty worktrees; keeps unpushed, dirty, pinned, locked and active ones", async () => {
    const { git, worktrees } = bed();
    const t = {
      pushed: await thread("T:C:1.1", "pushed"),
      empty: await thread("T:C:1.2", "empty"),
      unpushed: await thread("T:C:1.3", "unpushed"),
      dirty: await thread("T:C:1.4", "dirty"),
      pinned: await thread("T:C:1.5", "pushed"),
      active: await thread("T:C:1.6", "pushed"),
      locked: await thread("T:C:1.7", "pushed"),
    };
    await git.run(["worktree", "lock", "--reason", "a run is using it", t.locked.path], { cwd: project.repoDir });
    const activity = Object.fromEntries(Object.values(t).map((w) => [w.threadKey, daysAgo(10)]));
    activity[t.active.threadKey] = daysAgo(2);
    const p = policy(activity, { isPinned: (w) => w.threadKey === t.pinned.threadKey });

    const { removed, before } = await pruneProject(git, worktrees, project, p);
    expect(removed.map((r) => r.path).sort()).toEqual([t.pushed.path, t.empty.path].sort());
    const reasons = Object.fromEntries(
      before.worktrees.map((w) => [w.path, w.decision.prune ? "prune" : w.decision.reason]),
    );
    expect(reasons).toEqual({
      [t.pushed.path]: "prune",
      [t.empty.path]: "prune",
      [t.unpushed.path]: "unpushed",
      [t.dirty.path]: "dirty",
      [t.pinned.path]: "pinned",
      [t.active.path]: "active",
      [t.locked.path]: "locked",
    });
    for (const w of Object.values(t)) expect(existsSync(w.path)).toBe(!(w === t.pushed || w === t.empty));
    const branches = await git.text(["branch", "--format=%(refname:short)"], { cwd: project.repoDir });
    expect(branches).toContain(t.pushed.branch); // the thread can continue on it
    expect(branches).not.toContain(t.empty.branch); // nothing of its own: gone with the worktree
  });

  it("gives a pruned thread its worktree back on its next run, at the same path, with its commits", async () => {
    const { git, worktrees } = bed();
    const wt = await thread("T:C:2.1", "pushed");
    const head = await git.text(["rev-parse", "HEAD"], { cwd: wt.path });
    await pruneProject(git, worktrees, project, policy({ [wt.threadKey]: daysAgo(30) }));
    expect(existsSync(wt.path)).toBe(false);
    const back = await worktrees.ensure(project, wt.threadKey);
    expect(back).toMatchObject({ path: wt.path, branch: wt.branch, created: true });
    expect(await git.text(["rev-parse", "HEAD"], { cwd: back.path })).toBe(head);
  });

  it("keeps a worktree whose thread woke up between the plan and the removal", async () => {
    const { git, worktrees } = bed();
    const wt = await thread("T:C:3.1", "pushed");
    let calls = 0;
    const p = policy({}, { lastActivity: () => (++calls === 1 ? daysAgo(30) : Now) });
    const { removed, before } = await pruneProject(git, worktrees, project, p);
    expect(before.worktrees[0]?.decision.prune).toBe(true);
    expect(removed).toEqual([]);
    expect(existsSync(wt.path)).toBe(true);
  });

  it("prunes committed worktrees of a local project, whose branch is the deliverable", async () => {
    const { git, worktrees } = bed();
    const wt = await thread("T:C:4.1", "committed");
    const forgeRule = await assessProject(git, worktrees, project, policy({ [wt.threadKey]: daysAgo(30) }));
    expect(forgeRule.worktrees[0]?.decision).toEqual({ prune: false, reason: "unpushed" });
    const local = policy({ [wt.threadKey]: daysAgo(30) }, { requirePush: false });
    const { removed } = await pruneProject(git, worktrees, project, local);
    expect(removed.map((r) => r.state)).toEqual(["committed"]);
    expect(await git.text(["log", "-1", "--format=%s", wt.branch], { cwd: project.repoDir })).toBe("committed");
  });

  it("measures disk use per project and names the worktrees over the bound, oldest-quiet first", async () => {
    const { git, worktrees, write } = bed();
    const old = await thread("T:C:5.1", "dirty");
    const mid = await thread("T:C:5.2", "dirty");
    const recent = await thread("T:C:5.3", "dirty");
    write(mid.path, "big.bin", "x".repeat(256 * 1024));
    const activity = { [old.threadKey]: daysAgo(20), [mid.threadKey]: daysAgo(10), [recent.threadKey]: daysAgo(1) };
    const roomy = await assessProject(git, worktrees, project, policy(activity, { maxBytes: 1024 ** 3 }));
    expect(roomy.overLimit).toBe(false);
    expect(roomy.excess).toEqual([]);
    expect(roomy.worktrees.map((w) => w.path)).toEqual([old.path, mid.path, recent.path]);
    expect(roomy.worktrees[1]!.bytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(roomy.totalBytes).toBe(roomy.repoBytes + roomy.worktreeBytes);
    expect(roomy.repoBytes).toBeGreaterThan(0);

    const tight = await assessProject(
      git,
      worktrees,
      project,
      policy(activity, { maxBytes: roomy.totalBytes - roomy.worktrees[0]!.bytes - 1 }),
    );
    expect(tight.overLimit).toBe(true);
    expect(tight.excess.map((w) => w.path)).toEqual([old.path, mid.path]);
    // Reported, not deleted: these hold uncommitted work.
    expect((await pruneProject(git, worktrees, project, policy(activity, { maxBytes: 1 }))).removed).toEqual([]);
  });
});

describe("the doctor's disk lines", () => {
  it("summarizes a project and, over the bound, names the worktrees to go and why they stay", async () => {
    const { git, worktrees } = bed();
    const wt = await thread("T:C:6.1", "unpushed");
    const activity = { [wt.threadKey]: daysAgo(12) };
    const ok = await assessProject(git, worktrees, project, policy(activity, { maxBytes: 1024 ** 4 }));
    expect(diskReportLines(ok, Now)).toEqual([
      expect.stringMatching(/^demo: [\d.]+ (KiB|MiB) of 1 TiB \(repository [\d.]+ (KiB|MiB), 1 thread worktrees\)$/),
    ]);
    const over = await assessProject(git, worktrees, project, policy(activity, { maxBytes: 1024 }));
    const lines = diskReportLines(over, Now);
    expect(lines[0]).toMatch(/over the bound \(CODETHREAD_WORKTREE_MAX_BYTES\)$/);
    expect(lines[1]).toMatch(new RegExp(`^  ${wt.branch} \\([\\d.]+ KiB, quiet 12 d, kept: commits not pushed\\)$`));
  });
});
