import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { doctorCommand } from "../../src/cli/commands/doctor.js";
import { Secret } from "../../src/secret.js";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import { CredentialStore } from "../../src/store/credentials/store.js";
import { migrate } from "../../src/store/migrate.js";
import { FakeGitea } from "../support/forge/fake-gitea.js";
import { FakeWoodpecker } from "../support/forge/fake-woodpecker.js";

/** `codethread doctor` in this process (the fakes answer meanwhile); its output, line by line. */
async function doctor(env: Record<string, string>): Promise<{ code: number; lines: string[]; out: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const cwd = mkdtempSync(path.join(tmpdir(), "doctor-"));
  const code = await doctorCommand([], {
    stdout,
    stderr: new PassThrough(),
    env: { PATH: process.env.PATH, ...env },
    cwd,
  });
  return { code, out, lines: out.split("\n").map((l) => l.trim()) };
}

const line = (lines: string[], name: string) => lines.find((l) => new RegExp(`^[✓!✗] ${name}\\s`).test(l)) ?? "";
const detail = (lines: string[], name: string) => line(lines, name).replace(/^[✓!✗] \S+\s+/, "");

describe("codethread doctor: forge and CI tokens", () => {
  let gitea: FakeGitea;
  let wp: FakeWoodpecker;
  let dataDir: string;
  beforeAll(async () => {
    gitea = await new FakeGitea().start();
    wp = await new FakeWoodpecker(gitea).start();
  });
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "doctor-data-"));
    gitea.setScopes(gitea.botToken, ["write:repository", "write:user", "write:organization"]);
    wp.version = "3.17.0";
  });
  afterAll(async () => {
    expect([...gitea.violations, ...wp.violations]).toEqual([]);
    await wp.stop();
    await gitea.stop();
  });

  const servers = () => ({
    CODETHREAD_DATA_DIR: dataDir,
    GITEA_URL: gitea.url,
    GITEA_TOKEN: gitea.botToken,
    WOODPECKER_URL: wp.url,
    WOODPECKER_API_TOKEN: wp.token,
  });

  it("says whose tokens they are, what they can read, the server versions, and that they came from the environment", async () => {
    const { lines, out } = await doctor(servers());
    expect(line(lines, "forge")).toMatch(/^✓ forge\s/);
    expect(detail(lines, "forge")).toBe(
      `Gitea 1.27.1 at ${gitea.url}: token of codethread-bot, GITEA_TOKEN from the environment; readable: read:user, read:repository, read:organization. Write scopes (write:repository, write:user, write:organization) cannot be probed without writing: \`project new\` names one that is missing.`,
    );
    expect(line(lines, "ci")).toMatch(
      new RegExp(
        `^✓ ci\\s+Woodpecker 3\\.17\\.0 at ${wp.url}: token of codethread-bot, WOODPECKER_API_TOKEN from the environment\\. Woodpecker tokens have no scopes`,
      ),
    );
    expect(out).not.toContain(gitea.botToken);
    expect(out).not.toContain(wp.token);
  });

  it("names the credential store when the token is stored there (it wins over the variable)", async () => {
    const key = randomBytes(32).toString("base64");
    const db = await openPGlite(dataDir);
    await migrate(db);
    await new CredentialStore(db, new Secret(key)).set("GITEA_TOKEN", new Secret(gitea.botToken));
    await db.close();
    const { lines } = await doctor({ ...servers(), GITEA_TOKEN: "stale-env-token", CODETHREAD_SECRET_KEY: key });
    expect(line(lines, "forge")).toMatch(/token of codethread-bot, GITEA_TOKEN from the credential store; readable/);
    expect(line(lines, "ci")).toMatch(/WOODPECKER_API_TOKEN from the environment/);
  });

  it("names a missing scope, a refused token and a Woodpecker too old, each with what to do", async () => {
    gitea.setScopes(gitea.botToken, ["read:repository"]);
    wp.version = "1.0.5";
    const { code, lines } = await doctor(servers());
    expect(code).toBe(1);
    expect(line(lines, "forge")).toMatch(/^✗ forge\s+.*lacks the read:user scope \(GET \/user\): create a token/);
    expect(line(lines, "ci")).toMatch(/^✗ ci\s+.*is version 1\.0\.5; codethread needs Woodpecker 2\.0 or later/);

    const refused = await doctor({ ...servers(), GITEA_TOKEN: "not-a-real-token" });
    expect(line(refused.lines, "forge")).toMatch(
      /refused the token \(401.*\): set GITEA_TOKEN .* to a valid personal access token/,
    );
    expect(refused.out).not.toContain("not-a-real-token");
  });

  it("without a forge, says projects are local and how to connect one", async () => {
    const { lines } = await doctor({ CODETHREAD_DATA_DIR: dataDir });
    expect(line(lines, "forge")).toMatch(
      /^✓ forge\s+not configured: `project new` makes local git repositories in .*Connect Gitea and Woodpecker/,
    );
  });
});
