import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startMockAnthropic } from "../support/mock-anthropic.js";

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

/** The real entry point as a running process: its output so far, a wait for a line of it, its exit code. */
/** `start` in HTTP mode on a free port, JSON logs, Slack's Web API at `apiUrl` (nothing may listen there). */
function httpStart(apiUrl: string, drainDelay: string): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_FORMAT: "json",
    SLACK_BOT_TOKEN: "xoxb-cli-test",
    SLACK_SIGNING_SECRET: "cli-test-signing-secret",
    SLACK_API_URL: apiUrl,
    CODETHREAD_PROVIDERS: "claude-code",
    CODETHREAD_DRAIN_DELAY: drainDelay,
  };
}

function spawnCodethread(args: string[], env: Record<string, string>) {
  const cwd = mkdtempSync(path.join(tmpdir(), "codethread-cli-"));
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const p = { child, cwd, out: "", err: "" };
  // "close", not "exit": by then all of its output has been read.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const seen: (() => void)[] = [];
  child.stdout.on("data", (d: Buffer) => {
    p.out += d.toString();
    for (const check of seen) check();
  });
  child.stderr.on("data", (d: Buffer) => {
    p.err += d.toString();
  });
  /** Resolves with the first match in stdout; rejects if the process exits before printing it. */
  const waitFor = (re: RegExp, what: string) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(p.out);
        if (m) resolve(m);
      };
      seen.push(check);
      check();
      void exited.then((code) => reject(new Error(`${args[0]} exited (${code}) before ${what}:\n${p.out}${p.err}`)));
    });
  return Object.assign(p, { exited, waitFor });
}

describe("codethread CLI", () => {
  it("prints help for the program and for each command", () => {
    const top = codethread(["--help"]);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/Commands:[\s\S]*start[\s\S]*doctor/);
    for (const cmd of ["start", "migrate", "doctor", "run", "replay", "secrets", "project", "audit"]) {
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

  it("doctor with an empty environment reports the local console for Slack and what else is missing", () => {
    const r = codethread(["doctor"], { CODETHREAD_PROVIDERS: "claude-code", CLAUDE_BIN: "/nonexistent/claude" });
    // Exit 1: the default agent is missing (the local console itself is fine).
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /✓ slack\s+local console: SLACK_BOT_TOKEN is not set, so `codethread start` opens a Slack stand-in at http:\/\/127\.0\.0\.1:3000\..*manifest\.yml/,
    );
    expect(r.out).not.toMatch(/slack mode/);
    expect(r.out).toMatch(/✓ database\s+embedded postgres /);
    expect(r.out).toMatch(/! secret key .*openssl rand -base64 32/);
    // The default agent (first of CODETHREAD_PROVIDERS) missing is a failure, with how to install it.
    expect(r.out).toMatch(
      /✗ claude-code\s+unavailable: \/nonexistent\/claude was not found\. Install the pinned @anthropic-ai\/claude-code [\d.]+ with `npm run agents:install`.*CLAUDE_BIN.*default agent/,
    );
  });

  it("doctor: a missing agent that is not the default is a warning naming the install command", () => {
    const fake = path.join(mkdtempSync(path.join(tmpdir(), "codethread-fake-claude-")), "claude");
    writeFileSync(fake, "#!/bin/sh\necho '2.1.332 (Claude Code)'\n");
    chmodSync(fake, 0o755);
    const r = codethread(["doctor"], {
      CODETHREAD_PROVIDERS: "claude-code,opencode",
      CLAUDE_BIN: fake,
      OPENCODE_BIN: "/nonexistent/opencode",
    });
    expect(r.out).toContain(`✓ claude-code  available, version 2.1.332 (${fake})`);
    expect(r.out).toMatch(/! opencode\s+unavailable: .*`npm run agents:install`.*OPENCODE_BIN/);
    expect(r.out).not.toMatch(/✗ (claude-code|opencode)/);
  });

  it("doctor warns when Slack variables are set without SLACK_BOT_TOKEN", () => {
    const r = codethread(["doctor"], {
      SLACK_SIGNING_SECRET: "abc",
      CODETHREAD_PROVIDERS: "claude-code",
      CLAUDE_BIN: "/nonexistent/claude",
    });
    expect(r.out).toMatch(/! slack\s+local console: .*SLACK_SIGNING_SECRET set but unused without SLACK_BOT_TOKEN/);
  });

  it("doctor reports invalid variables all at once", () => {
    const r = codethread(["doctor"], { PORT: "x", SLACK_BOT_TOKEN: "nope" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ config\s+SLACK_BOT_TOKEN: must start with "xoxb-"/);
    expect(r.out).toMatch(/✗ config\s+PORT:/);
  });

  it("start with a bot token but neither signing secret nor app token exits, naming the variables", () => {
    const r = codethread(["start"], { SLACK_BOT_TOKEN: "xoxb-123" });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/SLACK_SIGNING_SECRET/);
    expect(r.err).toMatch(/SLACK_APP_TOKEN/);
    expect(r.err).toMatch(/manifest\.yml and the README/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("start without a Slack token opens the local console, prints its address, and stops on SIGTERM", async () => {
    const start = spawnCodethread(["start"], { PORT: "0", LOG_FORMAT: "json", CODETHREAD_PROVIDERS: "claude-code" });
    const { child, exited } = start;
    try {
      const [, url] = await start.waitFor(/^ {2}(http:\/\/127\.0\.0\.1:\d+)$/m, "printing the console's address");
      const out = start.out;
      expect(out).toMatch(/local Slack console \(SLACK_BOT_TOKEN is not set\)/);
      expect(out).toMatch(/manifest\.yml, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/);
      expect(out).not.toMatch(/xoxb-/);
      const page = await fetch(url!);
      expect(await page.text()).toMatch(/codethread local console/);
      const state = (await (await fetch(`${url}/console/api/state`)).json()) as { channels: { name: string }[] };
      expect(state.channels.map((c) => c.name)).toEqual(["general", "backend", "codethread"]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it("start in HTTP mode drains on SIGTERM and exits 0, even while Slack is unreachable (its client still retrying)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve())); // nothing listens there now
    const start = spawnCodethread(["start"], httpStart(`http://127.0.0.1:${port}/api/`, "1s"));
    const { child, exited } = start;
    try {
      await start.waitFor(/"msg":"Slack app listening"/, "listening");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(start.out).toContain('"msg":"draining: unready, no new jobs claimed"');
    expect(start.out).toContain('"msg":"stopped"');
  }, 120_000);

  it("a SIGTERM while start is still starting stops it once started, and it exits 0", async () => {
    const start = spawnCodethread(["start"], httpStart("http://127.0.0.1:9/api/", "0s"));
    const { child, exited } = start;
    try {
      // Logged before Slack's listener starts: the signal comes while the app is half-started.
      await start.waitFor(/"msg":"worker started"/, "the worker started");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(start.out).toContain('"msg":"Slack app listening"');
    expect(start.out).toContain('"msg":"stopped"');
  }, 120_000);

  it("run (the bundled command) drives the pinned claude it finds from the package root, and prints the answer", async () => {
    const mock = await startMockAnthropic();
    try {
      // No CLAUDE_BIN: the bundle in dist/bundle/ must find the pinned CLI under .agents/ itself.
      const cwd = mkdtempSync(path.join(tmpdir(), "codethread-cli-work-"));
      const run = spawnCodethread(["run", "--provider", "claude", "--cwd", cwd, "--json", "MOCK:bash hi"], {
        ANTHROPIC_BASE_URL: mock.url,
        ANTHROPIC_API_KEY: "test-key-not-secret",
        CLAUDE_CODE_MAX_RETRIES: "0",
        CLAUDE_CONFIG_ROOT: path.join(cwd, "claude-config"),
        CODETHREAD_DATA_DIR: path.join(cwd, "data"),
        CODETHREAD_PROVIDERS: "claude-code",
        CODETHREAD_ALLOWED_TOOLS: "Bash",
      });
      const code = await run.exited;
      const out = run.out;
      expect(code, run.err).toBe(0);
      const lines = out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { type: string; summary?: string });
      expect(lines.find((e) => e.type === "tool_use")?.summary).toBe("Ran ls");
      expect(lines.at(-1)?.type).toBe("result");
      expect(existsSync(path.resolve("dist/bundle/run.js"))).toBe(true); // what ran was the bundle
    } finally {
      await mock.close();
    }
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
    expect(first.out).toMatch(/Applied \d+ migration\(s\) to embedded postgres .*001_initial\.sql/);
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
