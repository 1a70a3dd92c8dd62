import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/secret.js";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import { listAudit } from "../../src/store/audit.js";
import { CredentialStore } from "../../src/store/credentials/store.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { getProject } from "../../src/store/projects.js";
import { cloneRepo, treeOf } from "../support/forge/clone.js";
import { ForgeWorld, RecordingProgress } from "../support/forge/forge-world.js";

/** Every secret any test used: none may appear in the captured logs. */
const secretsUsed: string[] = [];
const allLogs: string[] = [];

const request = (name: string, extra: Partial<{ template: string; org: string; private: boolean }> = {}) => ({
  name,
  template: extra.template ?? "node",
  description: "Billing service",
  private: extra.private ?? true,
  org: extra.org,
  actor: "U_ADMIN",
});

let db: Database;
beforeAll(async () => {
  db = await openPGlite();
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

describe("provisioning against the Gitea and Woodpecker fakes", () => {
  let world: ForgeWorld;
  beforeEach(async () => {
    world = await ForgeWorld.start({ db });
    secretsUsed.push(world.gitea.botToken, world.wp.token);
  });
  afterEach(async () => {
    expect(world.violations()).toEqual([]);
    allLogs.push(...world.logLines);
    await world.stop();
  });
  afterAll(() => {
    // Tokens, stored secrets and the key never reach a log line.
    const logs = allLogs.join("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secretsUsed) expect(logs).not.toContain(s);
  });

  it("makes a repository from the node template, activates CI and reports the first build", async () => {
    const progress = new RecordingProgress();
    const outcome = await world.service().provision(request("billing"), progress);
    expect(outcome.status).toBe("ready");
    expect(progress.reports.map((r) => `${r.step}:${r.state}`)).toEqual([
      "repository:running",
      "repository:done",
      "ci:running",
      "ci:done",
      "secrets:done",
      "first_build:done",
      "build_result:running",
      "build_result:done",
    ]);
    const repo = world.gitea.repo("codethread-bot", "billing")!;
    expect(progress.last("repository")?.link?.url).toBe(`${world.gitea.url}/codethread-bot/billing`);
    expect(repo.topics).toEqual(["codethread"]);
    const files = treeOf(await cloneRepo(`${world.gitea.url}/codethread-bot/billing.git`, world.gitea.botToken));
    expect(files["README.md"]).toMatch(/^# billing\n\nBilling service\n\nOwned by codethread-bot/);
    expect(Object.keys(files).sort()).toEqual([
      ".gitignore",
      ".woodpecker/ci.yaml",
      "README.md",
      "package.json",
      "src/greeting.js",
      "test/greeting.test.js",
    ]);

    const ciRepo = [...world.wp.repos.values()][0]!;
    expect(ciRepo).toMatchObject({ forgeRemoteId: String(repo.id), active: true });
    expect(world.wp.pipelines.get(ciRepo.id)?.map((p) => [p.number, p.status, p.branch])).toEqual([
      [1, "success", "main"],
    ]);
    expect(progress.last("build_result")).toMatchObject({
      text: "pipeline #1 passed",
      link: { url: `${world.wp.url}/repos/${ciRepo.id}/pipeline/1` },
    });

    expect(await getProject(world.db, "billing")).toMatchObject({
      location: "forge",
      owner: "codethread-bot",
      repoId: repo.id,
      ciRepoId: ciRepo.id,
      firstBuild: 1,
      status: "ready",
    });
    const audit = await listAudit(world.db);
    expect(audit.filter((a) => a.action === "project.provision").map((a) => a.detail.phase)).toEqual([
      "finish",
      "start",
    ]);
  });

  it("makes a go project in an organization, and one generated from an operator's template repository", async () => {
    const goProgress = new RecordingProgress();
    expect(
      (await world.service().provision(request("ledger", { template: "go", org: "acme" }), goProgress)).status,
    ).toBe("ready");
    const goFiles = treeOf(await cloneRepo(`${world.gitea.url}/acme/ledger.git`, world.gitea.botToken));
    expect(goFiles["go.mod"]).toBe("module ledger\n\ngo 1.19\n");

    await world.gitea.seedRepo({
      owner: "acme",
      name: "api-template",
      template: true,
      files: {
        ".gitea/template": "README.md\n",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Gitea template variables
        "README.md": "# ${REPO_NAME}\n",
        ".woodpecker/ci.yaml":
          "when:\n  - event: [push, manual]\nsteps:\n  - name: test\n    image: alpine\n    commands: [true]\n",
      },
    });
    const service = world.service(world.config({ CODETHREAD_PROJECT_TEMPLATES: "api=acme/api-template" }));
    const progress = new RecordingProgress();
    expect((await service.provision(request("payments", { template: "api", org: "acme" }), progress)).status).toBe(
      "ready",
    );
    expect(treeOf(await cloneRepo(`${world.gitea.url}/acme/payments.git`, world.gitea.botToken))["README.md"]).toBe(
      "# payments\n",
    );
    expect(world.gitea.calls("POST", /generate$/)).toHaveLength(1);
    expect(world.gitea.calls("POST", /\/contents$/).filter((c) => c.path.includes("payments"))).toHaveLength(0);
  });

  it("refuses a taken name without touching the repository or keeping a record", async () => {
    await world.gitea.seedRepo({ owner: "codethread-bot", name: "taken", description: "someone's" });
    const progress = new RecordingProgress();
    const outcome = await world.service().provision(request("taken"), progress);
    expect(outcome.status).toBe("failed");
    expect(progress.last("repository")?.text).toBe(
      `codethread-bot/taken already exists (${world.gitea.url}/codethread-bot/taken) and was not created by codethread: pick another name, or delete or rename that repository first.`,
    );
    expect(progress.final()).toMatchObject({ ci: "skipped", build_result: "skipped" });
    expect(world.gitea.repo("codethread-bot", "taken")?.topics).toEqual([]);
    expect(await getProject(world.db, "taken")).toBeUndefined();
  });

  it("names the scope a token lacks, and a template repository that is not a template", async () => {
    world.gitea.setScopes(world.gitea.botToken, ["write:user", "read:repository", "read:organization"]);
    const progress = new RecordingProgress();
    expect((await world.service().provision(request("billing"), progress)).status).toBe("failed");
    expect(progress.last("repository")?.text).toMatch(
      /^The Gitea token lacks the write:repository scope \(POST \/user\/repos\): create a token/,
    );
    expect(await getProject(world.db, "billing")).toBeUndefined();

    world.gitea.setScopes(world.gitea.botToken, ["write:repository", "write:user", "write:organization"]);
    await world.gitea.seedRepo({ owner: "acme", name: "plain", files: { "README.md": "x" } });
    const service = world.service(world.config({ CODETHREAD_PROJECT_TEMPLATES: "svc=acme/plain" }));
    const p2 = new RecordingProgress();
    expect((await service.provision(request("svc-one", { template: "svc" }), p2)).status).toBe("failed");
    expect(p2.last("repository")?.text).toMatch(
      /^acme\/plain \(template "svc"\) is not a template repository: tick "Template repository"/,
    );
  });

  it("keeps the repository when activation is refused, and a re-run completes it without duplicates", async () => {
    world.wp.refuseActivation = { status: 403, text: "User has to be a admin of this repository" };
    const service = world.service();
    const first = new RecordingProgress();
    expect((await service.provision(request("billing"), first)).status).toBe("needs_attention");
    expect(first.last("ci")).toMatchObject({
      state: "manual",
      text: expect.stringContaining("User has to be a admin of this repository"),
      manual: expect.stringMatching(
        new RegExp(`^Activate codethread-bot/billing in Woodpecker by hand: open ${world.wp.url}/repos/add`),
      ),
    });
    expect(first.final()).toMatchObject({ repository: "done", secrets: "skipped", first_build: "skipped" });
    expect(world.gitea.repo("codethread-bot", "billing")).toBeDefined();
    expect((await getProject(world.db, "billing"))?.status).toBe("needs_attention");

    world.wp.refuseActivation = undefined;
    const second = new RecordingProgress();
    expect((await service.provision(request("billing"), second)).status).toBe("ready");
    expect(second.final()).toEqual({
      repository: "done",
      ci: "done",
      secrets: "done",
      first_build: "done",
      build_result: "done",
    });
    const third = new RecordingProgress();
    expect((await service.provision(request("billing"), third)).status).toBe("ready");
    expect(third.last("ci")?.text).toBe("codethread-bot/billing is active (already)");

    expect(world.gitea.calls("POST", /^\/user\/repos$/)).toHaveLength(1);
    expect(world.gitea.calls("POST", /\/contents$/)).toHaveLength(1);
    expect(world.gitea.repo("codethread-bot", "billing")?.hooks).toHaveLength(1);
    expect(world.wp.calls("POST", /\/pipelines$/)).toHaveLength(1);
  });

  it("sets the configured secrets from the credential store, and finishes after a missing one is stored", async () => {
    const key = randomBytes(32).toString("base64");
    const store = new CredentialStore(world.db, new Secret(key));
    const deploy = `deploy-${randomBytes(8).toString("hex")}`;
    secretsUsed.push(deploy, key);
    const service = world.service(world.config({ CODETHREAD_PROJECT_SECRETS: "DEPLOY_TOKEN" }), store);
    const first = new RecordingProgress();
    expect((await service.provision(request("billing"), first)).status).toBe("needs_attention");
    expect(first.last("secrets")).toMatchObject({
      state: "failed",
      text: expect.stringMatching(/^DEPLOY_TOKEN is not in the credential store/),
    });
    expect(first.final()).toMatchObject({ first_build: "skipped" });

    await store.set("DEPLOY_TOKEN", new Secret(deploy));
    const second = new RecordingProgress();
    expect((await service.provision(request("billing"), second)).status).toBe("ready");
    const ciRepo = [...world.wp.repos.values()][0]!;
    expect(world.wp.secrets.get(ciRepo.id)?.get("deploy_token")).toMatchObject({
      value: deploy,
      events: ["push", "manual"],
    });
    expect(JSON.stringify([first.reports, second.reports])).not.toContain(deploy);
  });

  it("reports Woodpecker 1.x as a CI problem and keeps the repository", async () => {
    world.wp.version = "1.0.5";
    const progress = new RecordingProgress();
    expect((await world.service().provision(request("billing"), progress)).status).toBe("needs_attention");
    expect(progress.last("ci")).toMatchObject({
      state: "failed",
      text: expect.stringMatching(/is version 1\.0\.5; codethread needs Woodpecker 2\.0 or later/),
    });
    expect(world.gitea.repo("codethread-bot", "billing")).toBeDefined();
    expect(world.wp.calls("POST")).toEqual([]);
  });

  it("reports a failing first build with the failing step's log tail, tokens removed", async () => {
    world.wp.outcome = {
      status: "failure",
      step: "test",
      log: [
        `+ curl -H "Authorization: token ${world.gitea.botToken}" ${world.gitea.url}`,
        "password=hunter22",
        "not ok 1 - greets",
      ],
    };
    const progress = new RecordingProgress();
    expect((await world.service().provision(request("billing"), progress)).status).toBe("needs_attention");
    const result = progress.last("build_result")!;
    expect(result).toMatchObject({ state: "failed", text: "pipeline #1 failure at step test (ci)" });
    expect(result.detail).toEqual([
      "+ test",
      `+ curl -H "Authorization: token [REDACTED]" ${world.gitea.url}`,
      "password=[REDACTED]",
      "not ok 1 - greets",
    ]);
  });

  it("takes the token from the credential store over the environment", async () => {
    const store = new CredentialStore(world.db, new Secret(randomBytes(32).toString("base64")));
    await store.set("GITEA_TOKEN", new Secret(world.gitea.botToken));
    const service = world.service(world.config({ GITEA_TOKEN: "stale-env-token" }), store);
    const connection = await service.connect();
    expect(connection.giteaToken?.source).toBe("store");
    expect(connection.woodpeckerToken?.source).toBe("env");
    expect((await service.provision(request("billing"), new RecordingProgress())).status).toBe("ready");
  });
});

describe("provisioning on Forgejo", () => {
  it("speaks to Forgejo through the same adapter, validated against Forgejo's spec", async () => {
    const world = await ForgeWorld.start({ flavor: "forgejo", db });
    try {
      const progress = new RecordingProgress();
      expect((await world.service().provision(request("billing"), progress)).status).toBe("ready");
      expect(world.violations()).toEqual([]);
      expect(await (await world.service().connect()).forge!.server()).toEqual({
        flavor: "forgejo",
        version: "16.0.1+gitea-1.22.0",
      });
    } finally {
      await world.stop();
    }
  });
});
