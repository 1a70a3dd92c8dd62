import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectForge } from "../../src/ci/connection.js";
import { ThreadProjects } from "../../src/ci/thread-projects.js";
import { PodWorktrees } from "../../src/workspaces/pod-worktrees.js";
import { shortThreadId, threadBranch } from "../../src/workspaces/thread-id.js";
import { ForgeWorld } from "../support/forge/forge-world.js";

/**
 * The worker's side of a bound project (src/ci/thread-projects.ts) on the Gitea fake: each thread
 * gets its own worktree and branch from the forge's default branch, so two threads editing the
 * same file never see each other's edits; in Kubernetes mode the worktree is made in the project's
 * pod (the stand-in kubectl runs the pod's commands here) and the agent's directory is inside it.
 */
let world: ForgeWorld;
const keyA = "T1:C1:1700000000.000100";
const keyB = "T1:C1:1700000000.000200";

beforeAll(async () => {
  world = await ForgeWorld.start();
  await world.seedReadyProject("demo", { "app.txt": "v1\n" });
});

afterAll(async () => {
  expect(world.violations()).toEqual([]);
  await world.stop();
});

function threads(pods?: PodWorktrees): ThreadProjects {
  const config = world.config();
  return new ThreadProjects({ db: world.db, config, connect: () => connectForge(config), log: world.log, pods });
}

describe("thread worktrees of a forge project", () => {
  it("two threads edit the same file in separate worktrees, each on its own branch", async () => {
    const t = threads();
    const a = await t.prepare({ project: "demo", threadKey: keyA, userId: "U1", prompt: "make it v2" });
    const b = await t.prepare({ project: "demo", threadKey: keyB, userId: "U2", prompt: "make it v3" });
    if (a?.workspace.kind !== "local" || b?.workspace.kind !== "local") throw new Error("expected local worktrees");
    expect(a.workspace.directory).not.toBe(b.workspace.directory);
    expect(path.basename(a.workspace.directory)).toBe(shortThreadId(keyA));
    expect(readFileSync(path.join(a.workspace.directory, "app.txt"), "utf8")).toBe("v1\n");

    writeFileSync(path.join(a.workspace.directory, "app.txt"), "v2\n");
    writeFileSync(path.join(b.workspace.directory, "app.txt"), "v3\n");
    expect(readFileSync(path.join(a.workspace.directory, "app.txt"), "utf8")).toBe("v2\n");
    expect(readFileSync(path.join(b.workspace.directory, "app.txt"), "utf8")).toBe("v3\n");

    const changedA = await a.after();
    const changedB = await b.after();
    expect(changedA).toMatchObject({
      kind: "changed",
      branch: threadBranch(keyA),
      fileCount: 1,
      next: { kind: "open_pull_request" },
    });
    expect(changedB).toMatchObject({ kind: "changed", branch: threadBranch(keyB), fileCount: 1 });
    expect(changedA?.kind === "changed" && changedA.stat).toContain("app.txt");

    // A later run of thread A works in the same directory, with its own edit still there.
    const again = await t.prepare({ project: "demo", threadKey: keyA, userId: "U1", prompt: "and more" });
    expect(again?.workspace).toEqual(a.workspace);
    expect(readFileSync(path.join(a.workspace.directory, "app.txt"), "utf8")).toBe("v2\n");

    // The token went to git in its environment only: not into any config file of the copy.
    const copy = path.join(world.dataDir, "forge-copies", "demo.git");
    expect(readFileSync(path.join(copy, "config"), "utf8")).not.toContain(world.gitea.botToken);
    expect(readFileSync(path.join(copy, "config"), "utf8")).not.toContain("extraHeader");
  });

  it("a thread whose run changed nothing says so", async () => {
    const t = threads();
    const run = await t.prepare({
      project: "demo",
      threadKey: "T1:C1:1700000000.000300",
      userId: "U1",
      prompt: "look",
    });
    expect(await run?.after()).toEqual({ kind: "none", branch: threadBranch("T1:C1:1700000000.000300") });
  });

  it("kubectl mode: the worktree is made in the project's pod and the agent's directory is inside it", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "thread-pods-"));
    try {
      const calls = path.join(root, "calls");
      const bin = path.join(root, "bin");
      mkdirSync(calls);
      mkdirSync(bin);
      symlinkSync(path.resolve("test/support/fake-kubectl.sh"), path.join(bin, "kubectl"));
      const podRoot = path.join(root, "workspace"); // what /workspace is in the pod
      const pods = new PodWorktrees({
        kubectlBin: "kubectl",
        target: { namespace: "agents", selector: "app=codethread-workspace", root: podRoot },
        env: { PATH: `${bin}:${process.env.PATH ?? ""}`, FAKE_KUBECTL_DIR: calls, FAKE_KUBECTL_GET: "demo-ws-0" },
      });
      const run = await threads(pods).prepare({ project: "demo", threadKey: keyA, userId: "U1", prompt: "in the pod" });
      const dir = path.join(podRoot, "demo", "worktrees", shortThreadId(keyA));
      expect(run?.workspace).toEqual({
        kind: "pod",
        namespace: "agents",
        pod: "demo-ws-0",
        container: undefined,
        context: undefined,
        directory: dir,
      });
      expect(readFileSync(path.join(dir, "app.txt"), "utf8")).toBe("v1\n");
      const argv = readdirSync(calls).map((f) => readFileSync(path.join(calls, f), "utf8"));
      expect(argv.some((a) => a.includes("exec\0") && a.includes("codethread-worktree"))).toBe(true);
      // The token travelled on stdin only: in no argv.
      for (const a of argv) expect(a).not.toContain(world.gitea.botToken);
      expect(world.gitea.botToken.length).toBeGreaterThan(10);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
