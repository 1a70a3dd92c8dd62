import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrCiVersionUnsupported } from "../../src/ci/errors.js";
import { ErrForbidden, ErrServerFailed, ErrTokenRefused } from "../../src/ci/service-errors.js";
import { supportsVersion } from "../../src/ci/woodpecker/version.js";
import { WoodpeckerCi } from "../../src/ci/woodpecker/woodpecker-ci.js";
import { Secret } from "../../src/secret.js";
import { FakeGitea } from "../support/forge/fake-gitea.js";
import { FakeWoodpecker } from "../support/forge/fake-woodpecker.js";

const ci = (yaml: string) => ({ ".woodpecker/ci.yaml": yaml, "README.md": "# x\n" });
const manualYaml =
  "when:\n  - event: [push, pull_request, manual]\nsteps:\n  - name: test\n    image: node:22-alpine\n    commands: [npm test]\n";

describe("Woodpecker adapter against the contract fake", () => {
  let gitea: FakeGitea;
  let wp: FakeWoodpecker;
  let client: WoodpeckerCi;
  let repoId: number;
  beforeEach(async () => {
    gitea = await new FakeGitea().start();
    gitea.addOrg("acme", [gitea.bot]);
    wp = await new FakeWoodpecker(gitea).start();
    client = new WoodpeckerCi({ url: wp.url, token: new Secret(wp.token) });
    repoId = (await gitea.seedRepo({ owner: "acme", name: "billing", files: ci(manualYaml) })).id;
  });
  afterEach(async () => {
    expect(gitea.violations).toEqual([]);
    expect(wp.violations).toEqual([]);
    await wp.stop();
    await gitea.stop();
  });

  it("reads the version at the root, activates by forge id, and treats a second activation as done", async () => {
    expect(await client.version()).toBe("3.17.0");
    expect(wp.calls("GET").map((c) => c.path)).toEqual(["/version"]);
    expect(await client.lookupRepo("acme/billing")).toBeUndefined();
    const first = await client.activateRepo(repoId);
    expect(first).toMatchObject({
      kind: "activated",
      repo: { fullName: "acme/billing", active: true, forgeRemoteId: String(repoId) },
    });
    expect(first.repo.url).toBe(`${wp.url}/repos/${first.repo.id}`);
    // Activation made the webhook in the forge, as the real server does.
    expect(gitea.repo("acme", "billing")?.hooks.map((h) => h.events)).toEqual([
      ["push", "create", "pull_request", "release"],
    ]);
    const again = await client.activateRepo(repoId);
    expect(again).toMatchObject({ kind: "already_active", repo: { id: first.repo.id } });
    expect((await client.lookupRepo("acme/billing"))?.active).toBe(true);
    await client.deactivateRepo(first.repo.id);
    expect((await client.lookupRepo("acme/billing"))?.active).toBe(false);
  });

  it("refuses Woodpecker 1.x before any API call, saying what to do", async () => {
    wp.version = "1.0.5";
    const err = await client.whoami().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrCiVersionUnsupported);
    expect((err as Error).message).toMatch(/version 1\.0\.5; codethread needs Woodpecker 2\.0 or later.*upgrade/);
    expect(wp.calls().map((c) => c.path)).toEqual(["/version"]);
    expect(["2.0.0", "v2.8.3", "3.17.0", "next-a4cb541b"].every(supportsVersion)).toBe(true);
    expect(["1.0.5", "0.15.11", "dev"].some(supportsVersion)).toBe(false);
  });

  it("keeps Woodpecker's plain-text refusals: not an admin, forge failure, bad token", async () => {
    const stranger = new FakeWoodpecker(gitea, { forgeUser: gitea.addUser("ci-only").login });
    await stranger.start();
    const c2 = new WoodpeckerCi({ url: stranger.url, token: new Secret(stranger.token) });
    const notAdmin = await c2.activateRepo(repoId).catch((e: unknown) => e);
    // The repository is public: the stranger can read it but is not its admin.
    expect(notAdmin).toBeInstanceOf(ErrForbidden);
    expect((notAdmin as ErrForbidden).serverMessage).toBe("User has to be a admin of this repository");
    expect(stranger.violations).toEqual([]);
    await stranger.stop();

    wp.refuseActivation = { status: 500, text: "could not create webhook in forge." };
    const failed = await client.activateRepo(repoId).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ErrServerFailed);
    expect((failed as ErrServerFailed).context).toMatchObject({
      status: 500,
      body: "could not create webhook in forge.",
    });

    const bad = new WoodpeckerCi({ url: wp.url, token: new Secret("nope") });
    const refused = await bad.whoami().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ErrTokenRefused);
    expect((refused as Error).message).toMatch(/User not authorized.*WOODPECKER_API_TOKEN/);
  });

  it("upserts a secret: POST once, PATCH after (a second POST would be a 500)", async () => {
    const { repo } = await client.activateRepo(repoId);
    const secret = { name: "deploy_token", value: new Secret("s3cr3t-v1"), events: ["push", "manual"] };
    expect(await client.upsertSecret(repo.id, secret)).toBe("created");
    expect(await client.upsertSecret(repo.id, { ...secret, value: new Secret("s3cr3t-v2") })).toBe("updated");
    expect(wp.secrets.get(repo.id)?.get("deploy_token")?.value).toBe("s3cr3t-v2");
    expect(wp.calls("POST", /secrets/)).toHaveLength(1);
    expect(wp.calls("PATCH", /secrets/)).toHaveLength(1);
  });

  it("upserts through a race: the second POST's duplicate 500 becomes a PATCH", async () => {
    const { repo } = await client.activateRepo(repoId);
    const secret = (v: string) => ({ name: "npm_token", value: new Secret(v), events: ["manual"] });
    const results = await Promise.all([
      client.upsertSecret(repo.id, secret("a-value")),
      client.upsertSecret(repo.id, secret("b-value")),
    ]);
    expect([...results].sort()).toEqual(["created", "updated"]);
    expect(wp.calls("POST", /secrets$/).map((c) => c.status)).toEqual([200, 500]);
    // The PATCH came last: its value stays.
    const updated = results[0] === "updated" ? "a-value" : "b-value";
    expect(wp.secrets.get(repo.id)?.get("npm_token")?.value).toBe(updated);
  });

  it("triggers a manual pipeline, follows it to its end and reads the failing step's log", async () => {
    const { repo } = await client.activateRepo(repoId);
    wp.outcome = { status: "failure", step: "test", log: ["not ok 1 - adds", "# fail 1"] };
    const started = await client.triggerBuild(repo.id, "main");
    if (started.kind !== "started") throw new Error("expected a pipeline");
    expect(started.pipeline).toMatchObject({ number: 1, status: "pending", event: "manual", branch: "main" });
    expect(started.pipeline.steps.map((s) => s.name)).toEqual(["clone", "test"]);
    expect((await client.pipeline(repo.id, 1)).status).toBe("running");
    const done = await client.pipeline(repo.id, 1);
    expect(done.status).toBe("failure");
    const failing = done.steps.find((s) => s.state === "failure")!;
    expect(failing).toMatchObject({ name: "test", exitCode: 1, workflow: "ci" });
    expect(await client.stepLogs(repo.id, 1, failing.id)).toEqual(["+ test", "not ok 1 - adds", "# fail 1"]);
    expect((await client.latestPipeline(repo.id, "main"))?.status).toBe("failure");
    expect(await client.latestPipeline(repo.id, "dev")).toBeUndefined();
  });

  it("reports a pipeline filtered out (no manual event) and a missing branch", async () => {
    const pushOnly = await gitea.seedRepo({
      owner: "acme",
      name: "push-only",
      files: ci("when:\n  - event: push\nsteps:\n  - name: test\n    image: alpine\n    commands: [true]\n"),
    });
    const { repo } = await client.activateRepo(pushOnly.id);
    expect(await client.triggerBuild(repo.id, "main")).toEqual({ kind: "filtered" });
    const missing = await client.triggerBuild(repo.id, "nope").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ErrServerFailed);
    expect((missing as Error).message).toMatch(/failed with 500: \(empty body\)/);
  });
});
