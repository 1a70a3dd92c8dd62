import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const bin = path.resolve("bin/codethread.js");

/** Run the real `codethread` entry point with exactly this environment (no inherited variables). */
function codethread(args: string[], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(path.join(tmpdir(), "codethread-cli-"));
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

describe("codethread CLI", () => {
  it("prints help for the program and for each command", () => {
    const top = codethread(["--help"]);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/Commands:[\s\S]*start[\s\S]*doctor/);
    for (const cmd of ["start", "migrate", "doctor", "run", "replay", "audit"]) {
      const r = codethread([cmd, "--help"]);
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toMatch(/Usage: codethread/);
    }
  });

  it("explains an unknown command or option without a stack trace", () => {
    const r = codethread(["launch"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown command "launch"/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const o = codethread(["doctor", "--verbose"]);
    expect(o.code).toBe(2);
    expect(o.err).toMatch(/--verbose/);
    expect(o.err).not.toMatch(/\n\s+at /);
  });

  it("doctor with an empty environment says what is missing and how to fix it, and fails", () => {
    const r = codethread(["doctor"], { CODETHREAD_PROVIDERS: "claude-code", CLAUDE_BIN: "/nonexistent/claude" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ slack token\s+SLACK_BOT_TOKEN is not set.*manifest\.yml/);
    expect(r.out).toMatch(/✗ slack mode\s+Set SLACK_SIGNING_SECRET .* or SLACK_APP_TOKEN/);
    expect(r.out).toMatch(/✓ database\s+pglite /);
    expect(r.out).toMatch(/! secret key .*openssl rand -base64 32/);
    expect(r.out).toMatch(/! claude-code\s+unavailable/);
  });

  it("doctor reports invalid variables all at once", () => {
    const r = codethread(["doctor"], { PORT: "x", SLACK_BOT_TOKEN: "nope" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ config\s+SLACK_BOT_TOKEN: must start with "xoxb-"/);
    expect(r.out).toMatch(/✗ config\s+PORT:/);
  });

  it("start without Slack tokens exits, naming the variables and pointing to manifest.yml and the README", () => {
    const r = codethread(["start"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/SLACK_BOT_TOKEN/);
    expect(r.err).toMatch(/SLACK_SIGNING_SECRET/);
    expect(r.err).toMatch(/SLACK_APP_TOKEN/);
    expect(r.err).toMatch(/manifest\.yml and the README/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("audit refuses a bad --limit and says when nothing matches", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "codethread-audit-cli-"));
    const bad = codethread(["audit", "--limit", "lots"], { CODETHREAD_DATA_DIR: dir });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--limit must be a whole number/);
    const empty = codethread(["audit", "--user", "U0NOBODY1"], { CODETHREAD_DATA_DIR: dir });
    expect(empty.code).toBe(0);
    expect(empty.out).toBe("");
    expect(empty.err).toMatch(/No audit records match/);
  });

  it("migrate applies the schema to the embedded database once", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "codethread-migrate-"));
    const first = codethread(["migrate"], { CODETHREAD_DATA_DIR: dir });
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Applied \d+ migration\(s\) to pglite .*001_initial\.sql/);
    const second = codethread(["migrate"], { CODETHREAD_DATA_DIR: dir });
    expect(second.out).toMatch(/is up to date/);
  });

  it("migrate explains an unreachable PostgreSQL without revealing the password", () => {
    const r = codethread(["migrate"], { DATABASE_URL: "postgresql://bot:s3cret-pw@127.0.0.1:1/codethread" });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Cannot open the database \(postgres 127\.0\.0\.1:1\/codethread\)/);
    expect(r.err).not.toContain("s3cret-pw");
  });
});
