import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GiteaForge } from "../../src/ci/gitea/gitea-forge.js";
import {
  ErrConflict,
  ErrInvalidRequest,
  ErrServiceUnreachable,
  ErrTokenRefused,
  ErrTokenScope,
} from "../../src/ci/service-errors.js";
import { Secret } from "../../src/secret.js";
import { cloneRepo, treeOf } from "../support/forge/clone.js";
import { FakeGitea } from "../support/forge/fake-gitea.js";
import { git } from "../support/forge/git.js";

for (const flavor of ["gitea", "forgejo"] as const) {
  describe(`Gitea adapter against the ${flavor} contract fake`, () => {
    let fake: FakeGitea;
    let forge: GiteaForge;
    beforeEach(async () => {
      fake = await new FakeGitea({ flavor }).start();
      fake.addOrg("acme", [fake.bot]);
      forge = new GiteaForge({ url: fake.url, token: new Secret(fake.botToken) });
    });
    afterEach(async () => {
      expect(fake.violations).toEqual([]);
      await fake.stop();
    });

    it("tells the flavor from /api/v1/version and who the token is", async () => {
      expect(await forge.server()).toEqual({
        flavor,
        version: flavor === "gitea" ? "1.27.1" : "16.0.1+gitea-1.22.0",
      });
      expect(await forge.whoami()).toMatchObject({ login: "codethread-bot", isAdmin: false });
      expect(await forge.probeScopes()).toEqual([
        { scope: "read:user", granted: true },
        { scope: "read:repository", granted: true },
        { scope: "read:organization", granted: true },
      ]);
    });

    it("creates a repository for the user and in an organization, commits files that a real clone shows", async () => {
      const mine = await forge.createRepo({
        owner: "codethread-bot",
        name: "billing",
        description: "Billing service",
        private: true,
        defaultBranch: "main",
      });
      expect(mine).toMatchObject({ fullName: "codethread-bot/billing", empty: true, private: true, canAdmin: true });
      const org = await forge.createRepo({
        owner: "acme",
        name: "billing",
        description: "",
        private: false,
        defaultBranch: "main",
      });
      expect(org.fullName).toBe("acme/billing");
      expect(fake.calls("POST").map((c) => c.path)).toEqual(["/user/repos", "/orgs/acme/repos"]);

      const { sha } = await forge.commitFiles("acme", "billing", {
        branch: "main",
        message: "Start from the node template",
        files: [
          { path: "README.md", content: Buffer.from("# billing\n") },
          { path: ".woodpecker/ci.yaml", content: Buffer.from("steps: []\n") },
        ],
      });
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      const dir = await cloneRepo(org.cloneUrl, fake.botToken);
      expect(treeOf(dir)).toEqual({ "README.md": "# billing\n", ".woodpecker/ci.yaml": "steps: []\n" });
      expect((await forge.getRepo("acme", "billing"))?.empty).toBe(false);
      expect((await forge.getRepoById(org.id))?.fullName).toBe("acme/billing");
      expect(await forge.getRepo("acme", "nothing")).toBeUndefined();

      await forge.setTopics("acme", "billing", ["codethread"]);
      expect((await forge.getRepo("acme", "billing"))?.topics).toEqual(["codethread"]);
      await forge.deleteRepo("acme", "billing");
      expect(await forge.getRepo("acme", "billing")).toBeUndefined();
    });

    it("generates from a template repository server-side, expanding the listed files only", async () => {
      await fake.seedRepo({
        owner: "acme",
        name: "api-template",
        template: true,
        topics: ["service"],
        files: {
          ".gitea/template": "README.md\n",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Gitea template variables
          "README.md": "# ${REPO_NAME} by $REPO_OWNER: ${REPO_DESCRIPTION}\n",
          ".woodpecker/ci.yaml": "steps:\n  - name: echo\n    commands: [echo $${CI_REPO}]\n",
        },
      });
      const repo = await forge.generateRepo(
        { owner: "acme", repo: "api-template" },
        { owner: "acme", name: "payments", description: "Pays", private: true, defaultBranch: "main" },
      );
      expect(repo).toMatchObject({ fullName: "acme/payments", empty: false, topics: ["service"] });
      expect(treeOf(await cloneRepo(repo.cloneUrl, fake.botToken))).toEqual({
        "README.md": "# payments by acme: Pays\n",
        ".woodpecker/ci.yaml": "steps:\n  - name: echo\n    commands: [echo $${CI_REPO}]\n",
      });
    });

    it("names a taken name, a template that is not one, a missing scope and a refused token", async () => {
      await fake.seedRepo({ owner: "acme", name: "taken" });
      const input = { owner: "acme", name: "taken", description: "", private: false, defaultBranch: "main" };
      const taken = await forge.createRepo(input).catch((e: unknown) => e);
      expect(taken).toBeInstanceOf(ErrConflict);
      expect((taken as ErrConflict).serverMessage).toBe("The repository with the same name already exists.");

      await fake.seedRepo({ owner: "acme", name: "plain" });
      const notTemplate = await forge
        .generateRepo({ owner: "acme", repo: "plain" }, { ...input, name: "fresh" })
        .catch((e: unknown) => e);
      expect(notTemplate).toBeInstanceOf(ErrInvalidRequest);
      expect((notTemplate as ErrInvalidRequest).serverMessage).toBe("this is not a template repo");

      fake.setScopes(fake.botToken, ["write:user", "read:organization"]);
      const scope = await forge
        .createRepo({ ...input, owner: "codethread-bot", name: "fresh" })
        .catch((e: unknown) => e);
      expect(scope).toBeInstanceOf(ErrTokenScope);
      expect((scope as ErrTokenScope).scopes).toEqual(["write:repository"]);
      expect((scope as Error).message).toMatch(/lacks the write:repository scope/);
      expect(await forge.probeScopes()).toEqual([
        { scope: "read:user", granted: true },
        { scope: "read:repository", granted: false },
        { scope: "read:organization", granted: true },
      ]);

      const stranger = new GiteaForge({ url: fake.url, token: new Secret("not-a-token"), tokenSource: "store" });
      const refused = await stranger.whoami().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ErrTokenRefused);
      expect((refused as Error).message).toMatch(
        /refused the token \(401: invalid username, password or token\).*codethread secrets set GITEA_TOKEN/,
      );
      expect((refused as Error).message).not.toContain("not-a-token");
    });

    it("opens a pull request once per head branch, finds it again, and reads the commit status a CI posts", async () => {
      await fake.seedRepo({ owner: "acme", name: "web", files: { "README.md": "# web\n" } });
      const dir = await cloneRepo(`${fake.url}/acme/web.git`, fake.botToken);
      writeFileSync(path.join(dir, "hello.txt"), "hi\n");
      const id = ["-c", "user.name=Someone", "-c", "user.email=someone@example.com"];
      await git(["checkout", "-q", "-b", "codethread/abc"], { cwd: dir });
      await git(["add", "hello.txt"], { cwd: dir });
      await git([...id, "commit", "-qm", "Hello"], { cwd: dir });
      const auth = ["-c", `http.extraHeader=Authorization: token ${fake.botToken}`];
      await git([...auth, "push", "-q", "origin", "codethread/abc"], { cwd: dir });
      const sha = (await git(["rev-parse", "HEAD"], { cwd: dir })).toString().trim();

      expect(await forge.findPullRequest("acme", "web", "codethread/abc")).toBeUndefined();
      const pr = await forge.createPullRequest("acme", "web", {
        head: "codethread/abc",
        base: "main",
        title: "Say hello",
        body: "From a thread",
      });
      expect(pr).toEqual({
        number: 1,
        htmlUrl: `${fake.url}/acme/web/pulls/1`,
        state: "open",
        merged: false,
        head: { ref: "codethread/abc", sha },
        base: { ref: "main" },
      });
      expect(await forge.findPullRequest("acme", "web", "codethread/abc")).toEqual(pr);
      const again = await forge
        .createPullRequest("acme", "web", { head: "codethread/abc", base: "main", title: "x", body: "" })
        .catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ErrConflict);

      // No CI has reported yet: pending with no statuses; then a CI's statuses, combined.
      expect(await forge.commitStatus("acme", "web", sha)).toEqual({ state: "pending", sha, statuses: [] });
      const post = (state: string, context: string) =>
        fetch(`${fake.url}/api/v1/repos/acme/web/statuses/${sha}`, {
          method: "POST",
          headers: { authorization: `token ${fake.botToken}`, "content-type": "application/json" },
          body: JSON.stringify({ state, context, description: state, target_url: `http://ci.example/${context}` }),
        });
      expect((await post("pending", "ci/build")).status).toBe(201);
      expect((await forge.commitStatus("acme", "web", sha)).state).toBe("pending");
      await post("success", "ci/build");
      await post("failure", "ci/lint");
      const combined = await forge.commitStatus("acme", "web", sha);
      expect(combined.state).toBe("failure");
      expect(combined.statuses.map((s) => [s.context, s.state, s.targetUrl]).sort()).toEqual([
        ["ci/build", "success", "http://ci.example/ci/build"],
        ["ci/lint", "failure", "http://ci.example/ci/lint"],
      ]);
      expect((await forge.commitStatus("acme", "web", "codethread/abc")).sha).toBe(sha);
    });
  });
}

describe("Gitea adapter without a server", () => {
  it("says the forge did not answer, and where to look", async () => {
    const forge = new GiteaForge({ url: "http://127.0.0.1:9", token: new Secret("x"), timeoutMs: 2_000 });
    const err = await forge.server().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrServiceUnreachable);
    expect((err as Error).message).toMatch(
      /Gitea at http:\/\/127\.0\.0\.1:9 did not answer GET \/version .*check the URL/,
    );
  });
});
