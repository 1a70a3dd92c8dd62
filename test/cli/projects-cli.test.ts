import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { Secret } from "../../src/secret.js";
import { keyIdOf } from "../../src/store/credentials/key.js";
import { CredentialStore } from "../../src/store/credentials/store.js";
import { openDatabase } from "../../src/store/open.js";
import { FakeGitea } from "../support/forge/fake-gitea.js";
import { FakeWoodpecker } from "../support/forge/fake-woodpecker.js";

const bin = path.resolve("bin/codethread.js");

/** The real entry point, asynchronously (the fakes answer from this process meanwhile). */
function codethread(args: string[], env: Record<string, string>, input?: string) {
  const cwd = mkdtempSync(path.join(tmpdir(), "codethread-cli-"));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, LOG_FORMAT: "json", ...env },
      stdio: "pipe",
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("close", (code) => resolve({ code, out, err }));
    child.stdin.end(input ?? "");
  });
}

const newKey = () => randomBytes(32).toString("base64");

describe("codethread secrets", () => {
  it("stores a value from stdin, lists names only, rotates every value to a new key and deletes", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "secrets-cli-"));
    const key = newKey();
    const env = { CODETHREAD_DATA_DIR: dataDir, CODETHREAD_SECRET_KEY: key };
    const value = `gta_${randomBytes(16).toString("hex")}`;

    const set = await codethread(["secrets", "set", "GITEA_TOKEN"], env, `${value}\n`);
    expect(set).toMatchObject({
      code: 0,
      out: `Stored GITEA_TOKEN (encrypted with key ${keyIdOf(new Secret(key))}).\n`,
    });
    const onArgv = await codethread(["secrets", "set", "GITEA_TOKEN", value], env);
    expect(onArgv.code).toBe(2);
    expect(onArgv.err).toMatch(/the value comes from stdin, never the command line/);
    expect(onArgv.err).not.toContain(value);

    const next = newKey();
    const rotate = await codethread(["secrets", "rotate"], env, next);
    expect(rotate.code).toBe(0);
    const nextId = keyIdOf(new Secret(next));
    expect(rotate.out).toContain(`Re-encrypted 1 value(s) with key ${nextId} (was ${keyIdOf(new Secret(key))}).`);
    expect(rotate.out).toMatch(/Now set CODETHREAD_SECRET_KEY to the new key/);
    expect(rotate.out).not.toContain(next);

    const list = await codethread(["secrets", "list"], { ...env, CODETHREAD_SECRET_KEY: next });
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^GITEA_TOKEN  key ${nextId}  updated \\d{4}-`));
    for (const r of [set, rotate, list]) expect(r.out + r.err).not.toContain(value);

    // The data directory as the bot opens it (the embedded server, or PGlite where that cannot run).
    const db = await openDatabase(loadConfig({ CODETHREAD_DATA_DIR: dataDir }, "/"), silentLogger);
    try {
      expect((await new CredentialStore(db, new Secret(next)).get("GITEA_TOKEN"))?.reveal()).toBe(value);
    } finally {
      await db.close();
    }
    const del = await codethread(["secrets", "delete", "GITEA_TOKEN"], env);
    expect(del).toMatchObject({ code: 0, out: "Deleted GITEA_TOKEN.\n" });
    const noKey = await codethread(["secrets", "list"], { CODETHREAD_DATA_DIR: dataDir });
    expect(noKey.code).toBe(1);
    expect(noKey.err).toMatch(/CODETHREAD_SECRET_KEY is not set.*openssl rand -base64 32/);
  });
});

describe("codethread project", () => {
  let gitea: FakeGitea;
  let wp: FakeWoodpecker;
  beforeAll(async () => {
    gitea = await new FakeGitea().start();
    wp = await new FakeWoodpecker(gitea).start();
  });
  afterAll(async () => {
    expect([...gitea.violations, ...wp.violations]).toEqual([]);
    await wp.stop();
    await gitea.stop();
  });

  it("creates a project on the forge step by step, then lists it", async () => {
    const env = {
      CODETHREAD_DATA_DIR: mkdtempSync(path.join(tmpdir(), "project-cli-")),
      GITEA_URL: gitea.url,
      GITEA_TOKEN: gitea.botToken,
      WOODPECKER_URL: wp.url,
      WOODPECKER_API_TOKEN: wp.token,
    };
    const made = await codethread(["project", "new", "demo", "--template", "node", "--description", "A demo"], env);
    expect(made.err).toBe("");
    expect(made.out.split("\n").filter(Boolean)).toEqual([
      `✓ Repository: codethread-bot/demo (${gitea.url}/codethread-bot/demo)`,
      expect.stringMatching(
        /^✓ CI activated: codethread-bot\/demo activated \(http:\/\/127\.0\.0\.1:\d+\/repos\/\d+\)$/,
      ),
      "✓ Secrets: none to set (CODETHREAD_PROJECT_SECRETS is empty)",
      expect.stringMatching(/^✓ First build: pipeline #1 on main \(/),
      expect.stringMatching(/^✓ Build result: pipeline #1 passed \(/),
      "Project demo is ready.",
    ]);
    expect(made.code).toBe(0);
    const list = await codethread(["project", "list", "--json"], env);
    expect(JSON.parse(list.out)).toEqual([
      expect.objectContaining({
        name: "demo",
        status: "ready",
        ci: "success",
        repoUrl: `${gitea.url}/codethread-bot/demo`,
      }),
    ]);
    for (const r of [made, list]) expect(r.out + r.err).not.toMatch(new RegExp(`${gitea.botToken}|${wp.token}`));

    gitea.setScopes(gitea.botToken, ["read:user"]);
    const refused = await codethread(["project", "new", "other"], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(
      /^✗ Repository: The Gitea token lacks the read:repository scope \(GET \/repos\/codethread-bot\/other\)/,
    );
  });

  it("without a forge makes a local repository and says how to connect one", async () => {
    const local = await codethread(["project", "new", "scratch", "--template", "go"], {
      CODETHREAD_DATA_DIR: mkdtempSync(path.join(tmpdir(), "project-cli-local-")),
    });
    expect(local.code).toBe(0);
    expect(local.out).toMatch(
      /^✓ Repository: local repository .*\/projects\/scratch\n– CI activated: no forge is configured/,
    );
    const bad = await codethread(["project", "new", "x", "--template", "rust"], {
      CODETHREAD_DATA_DIR: mkdtempSync(path.join(tmpdir(), "project-cli-bad-")),
    });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/There is no template "rust": use one of node, go/);
  });
});
