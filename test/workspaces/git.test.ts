import path from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Secret } from "../../src/secret.js";
import { commitWorktree, pushBranch } from "../../src/workspaces/commit-push.js";
import { ErrGitFailed } from "../../src/workspaces/errors.js";
import { Git } from "../../src/workspaces/git.js";
import { serveGitHttp } from "../support/git-http-server.js";
import { ThreadA, useTestbed } from "./testbed.js";

const bed = useTestbed();

describe("the git runner", () => {
  it("fails with a named error carrying the subcommand, the exit code and git's message", async () => {
    const project = await bed().project();
    const err = await bed()
      .git.run(["rev-parse", "--verify", "no-such-branch"], { cwd: project.repoDir })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrGitFailed);
    expect(err).toMatchObject({ code: "git_failed", subcommand: "rev-parse", exitCode: 128 });
    expect((err as ErrGitFailed).stderr).toMatch(/Needed a single revision/);
    expect(String(err)).toMatch(/git rev-parse failed \(exit 128\): fatal: Needed a single revision/);
  });

  it("refuses a secret in argv, and redacts secrets the environment carried from git's output", async () => {
    const project = await bed().project();
    const secret = new Secret("s3cr3t-value-1234");
    await expect(
      bed().git.run(["log", "--grep", "s3cr3t-value-1234"], { cwd: project.repoDir, secrets: [secret] }),
    ).rejects.toMatchObject({ code: "secret_in_argv" });
    // git echoes a malformed config key from the environment on stderr: the secret must not come back.
    const err = await bed()
      .git.run(["status"], {
        cwd: project.repoDir,
        env: { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "bad key s3cr3t-value-1234", GIT_CONFIG_VALUE_0: "x" },
        secrets: [secret],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrGitFailed);
    const shown = `${String(err)} ${JSON.stringify((err as ErrGitFailed).context)} ${inspect(err)}`;
    expect(shown).toContain("[REDACTED]");
    expect(shown).not.toContain("s3cr3t-value-1234");
  });

  it("reports its version and whether it is new enough", async () => {
    expect(await bed().git.version()).toEqual({ version: expect.stringMatching(/^\d+\.\d+/), supported: true });
  });

  it("names a git that cannot be started and a missing directory", async () => {
    const project = await bed().project();
    const missing = new Git({ bin: path.join(bed().root, "no-git-here") });
    await expect(missing.run(["status"], { cwd: project.repoDir })).rejects.toMatchObject({ code: "git_unavailable" });
    await expect(bed().git.run(["status"], { cwd: path.join(bed().root, "gone") })).rejects.toMatchObject({
      code: "git_failed",
      message: expect.stringMatching(/does not exist/),
    });
  });

  it("does not send the token to a host a repository-configured insteadOf redirects the push to", async () => {
    const { git, root, worktrees } = bed();
    const project = await bed().project();
    const forge = await serveGitHttp(path.join(root, "forge-unused"), { requireAuth: "Bearer tok_0123456789abcdef" });
    const elsewhere = await serveGitHttp(path.join(root, "data", "projects")); // accepts anything, records headers
    try {
      const forgeUrl = `${forge.url}/demo.git`;
      // What an agent could write into the repository's config from its worktree.
      await git.run(["config", `url.${elsewhere.url}/demo.insteadOf`, forgeUrl], { cwd: project.repoDir });
      const wt = await worktrees.ensure(project, ThreadA);
      bed().write(wt.path, "x.txt", "x\n");
      await commitWorktree(git, wt.path, { author: { name: "A", email: "a@b.invalid" }, message: "x" });
      const remote = { url: forgeUrl, auth: { kind: "bearer" as const, token: new Secret("tok_0123456789abcdef") } };
      await pushBranch(git, wt.path, remote, wt.branch).catch(() => undefined);
      expect(elsewhere.requests.length).toBeGreaterThan(0);
      expect(elsewhere.requests.some((r) => r.sentAuthorization)).toBe(false);
      expect(forge.requests).toEqual([]);
    } finally {
      await forge.close();
      await elsewhere.close();
    }
  });
});
