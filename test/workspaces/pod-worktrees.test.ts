import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/secret.js";
import { ensureLocalProject } from "../../src/workspaces/local-projects.js";
import { WorktreeScript } from "../../src/workspaces/pod-scripts.js";
import {
  type PodProjects,
  PodWorktrees,
  podLookupCommand,
  podSyncCommand,
  podWorktreeCommands,
} from "../../src/workspaces/pod-worktrees.js";
import { threadBranch } from "../../src/workspaces/thread-id.js";
import { basicAuthHeader, type GitHttpServer, serveGitHttp } from "../support/git-http-server.js";
import { filesContaining, ThreadA, ThreadB, useTestbed } from "./testbed.js";

const bed = useTestbed();
const Token = "gta_podtoken0123456789abcdef";

let calls: string;
let podRoot: string;
let server: GitHttpServer;
let target: PodProjects;
let env: Record<string, string>;

beforeEach(async () => {
  const { root, git } = bed();
  calls = path.join(root, "kubectl-calls");
  mkdirSync(calls);
  const fakeBin = path.join(root, "bin");
  mkdirSync(fakeBin);
  symlinkSync(path.resolve("test/support/fake-kubectl.sh"), path.join(fakeBin, "kubectl"));
  podRoot = path.join(root, "pod-workspace"); // what /workspace is in the pod; the stand-in runs commands here
  const forgeRoot = path.join(root, "forge");
  await ensureLocalProject(git, { dataDir: forgeRoot, name: "demo", templateDir: path.join(root, "template") });
  server = await serveGitHttp(forgeRoot, { requireAuth: basicAuthHeader("codethread-bot", Token) });
  target = {
    namespace: "agents",
    selector: "app=codethread-workspace",
    container: "workspace",
    context: "prod",
    root: podRoot,
  };
  env = { PATH: `${fakeBin}:${process.env.PATH ?? ""}`, FAKE_KUBECTL_DIR: calls, FAKE_KUBECTL_GET: "demo-ws-0" };
});
afterEach(async () => {
  await server.close();
  rmSync(calls, { recursive: true, force: true });
});

/** Every recorded kubectl argv, byte for byte. */
function recorded(): string[][] {
  return readdirSync(calls).map((f) => readFileSync(path.join(calls, f), "utf8").split("\0").slice(0, -1));
}

const remote = () => ({
  url: `${server.url}/projects/demo`,
  auth: { kind: "basic" as const, username: "codethread-bot", password: new Secret(Token) },
});

describe("kubectl argv for worktrees in a project's pod", () => {
  it("builds argv arrays only, with the thread as a hex id and the token kept to stdin", () => {
    expect(podLookupCommand(target, "demo")).toEqual([
      "--context",
      "prod",
      "get",
      "pods",
      "-n",
      "agents",
      "-l",
      "app=codethread-workspace,codethread.dev/project=demo",
      "--field-selector=status.phase=Running",
      "-o",
      "jsonpath={.items[*].metadata.name}",
    ]);
    const evil = "T1:C1:1.2; rm -rf / $(curl x) `id` ../../..";
    const cmds = podWorktreeCommands({
      target,
      pod: "demo-ws-0",
      project: "demo",
      threadKey: evil,
      baseBranch: "main",
    });
    const id = threadBranch(evil).slice("codethread/".length);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(cmds.ensureWorktree).toEqual([
      "--context",
      "prod",
      "exec",
      "-n",
      "agents",
      "demo-ws-0",
      "-c",
      "workspace",
      "--",
      "sh",
      "-c",
      WorktreeScript,
      "codethread-worktree",
      `${podRoot}/demo/repo.git`,
      `${podRoot}/demo/worktrees/${id}`,
      `codethread/${id}`,
      "main",
    ]);
    expect(cmds.ensureWorktree.join(" ")).not.toContain("rm -rf");
    expect(cmds.workspace).toEqual({
      kind: "pod",
      namespace: "agents",
      pod: "demo-ws-0",
      container: "workspace",
      context: "prod",
      directory: `${podRoot}/demo/worktrees/${id}`,
    });
    const sync = podSyncCommand(target, "demo-ws-0", "demo", remote());
    expect(sync.argv.slice(0, 4)).toEqual(["--context", "prod", "exec", "-i"]);
    expect(sync.argv.join("\0")).not.toContain(Token);
    expect(sync.stdin).toBe(`Authorization: ${basicAuthHeader("codethread-bot", Token)}\n`);
    expect(() =>
      podWorktreeCommands({ target, pod: "p", project: "Bad Name", threadKey: "k", baseBranch: "main" }),
    ).toThrow(/cannot be a project name/);
    expect(() =>
      podWorktreeCommands({ target, pod: "p", project: "demo", threadKey: "k", baseBranch: "--upload-pack=x" }),
    ).toThrow(/not a branch name/);
    expect(() => podLookupCommand(target, "a".repeat(64))).toThrow(/at most 63 characters/);
  });

  it("finds the pod, clones the project into it once, and makes each thread's worktree there (stand-in kubectl)", async () => {
    const pods = new PodWorktrees({ kubectlBin: "kubectl", target, env });
    const pod = await pods.findPod("demo");
    expect(pod).toBe("demo-ws-0");
    expect(await pods.sync(pod, "demo", remote())).toBe("main");
    const a = await pods.ensure({ pod, project: "demo", threadKey: ThreadA, baseBranch: "main" });
    const b = await pods.ensure({ pod, project: "demo", threadKey: ThreadB, baseBranch: "main" });
    const again = await pods.ensure({ pod, project: "demo", threadKey: ThreadA, baseBranch: "main" });
    expect(again.workspace.directory).toBe(a.workspace.directory);
    expect(a.workspace.directory).not.toBe(b.workspace.directory);

    // The "pod" now holds the clone and two worktrees, each on its thread's branch, from origin/main.
    const { git } = bed();
    for (const wt of [a, b]) {
      expect(await git.text(["symbolic-ref", "--short", "HEAD"], { cwd: wt.workspace.directory })).toBe(wt.branch);
      expect(bed().read(wt.workspace.directory, "README.md")).toBe("# demo\n");
    }
    bed().write(a.workspace.directory, "src/app.txt", "edited in A\n");
    expect(bed().read(b.workspace.directory, "src/app.txt")).toBe("line 1\nline 2\nline 3\n");
    await pods.sync(pod, "demo", remote()); // a refresh later: no harm to the worktrees
    expect(bed().read(a.workspace.directory, "src/app.txt")).toBe("edited in A\n");

    const argvs = recorded();
    // One lookup, two syncs, three worktree calls (mktemp names do not keep the order).
    expect(argvs.map((a) => a[2]).sort()).toEqual(["exec", "exec", "exec", "exec", "exec", "get"]);
    expect(argvs.filter((a) => a.includes("-i"))).toHaveLength(2);
    for (const argv of argvs) expect(argv.join("\0")).not.toContain(Token);
    expect(filesContaining(podRoot, Token)).toEqual([]);
    expect(server.requests.every((r) => r.auth === "ok")).toBe(true);
  });

  it("says so when no pod runs the project, and when the pod cannot be reached", async () => {
    const none = new PodWorktrees({ kubectlBin: "kubectl", target, env: { ...env, FAKE_KUBECTL_GET: "" } });
    await expect(none.findPod("demo")).rejects.toMatchObject({
      code: "project_pod_not_found",
      message: expect.stringContaining("app=codethread-workspace,codethread.dev/project=demo"),
    });
    const down = new PodWorktrees({
      kubectlBin: "kubectl",
      target,
      env: { ...env, FAKE_KUBECTL_FAIL: "connection refused" },
    });
    await expect(
      down.ensure({ pod: "demo-ws-0", project: "demo", threadKey: ThreadA, baseBranch: "main" }),
    ).rejects.toMatchObject({
      code: "pod_command_failed",
      message: expect.stringContaining("connection refused"),
    });
  });
});
