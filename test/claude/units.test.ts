import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildCommandLine } from "../../src/agents/claude/command-line.js";
import { configDirFor } from "../../src/agents/claude/config-dir.js";

import { claudeOptionsFromConfig } from "../../src/agents/claude/options.js";
import { ClaudeTools } from "../../src/agents/claude/tools.js";
import type { AgentRequest } from "../../src/agents/request.js";
import {
  describeToolUse,
  MaxSummaryLength,
  summarizeToolResult,
  summarizeToolUse,
} from "../../src/agents/tool-summary.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { type LineItem, readLines } from "../../src/process/line-reader.js";
import { StderrTail } from "../../src/process/stderr-tail.js";

async function linesOf(chunks: (string | Buffer)[], max = 1024): Promise<LineItem[]> {
  const out: LineItem[] = [];
  for await (const item of readLines(
    (async function* () {
      yield* chunks;
    })(),
    max,
  ))
    out.push(item);
  return out;
}

describe("bounded line reader", () => {
  it("joins chunks, keeps multi-byte characters split across chunks, drops blank lines and \\r", async () => {
    const bytes = Buffer.from('{"a":"é😀"}\r\n\n{"b":1}\n{"c":2}', "utf8");
    const items = await linesOf([bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)]);
    expect(items).toEqual([
      { kind: "line", text: '{"a":"é😀"}' },
      { kind: "line", text: '{"b":1}' },
      { kind: "line", text: '{"c":2}' },
    ]);
  });

  it("a line over the bound is reported, not kept; the next line still arrives", async () => {
    const items = await linesOf(["x".repeat(600), "y".repeat(600), "\nok\n"], 1000);
    expect(items).toEqual([
      { kind: "overflow", bytes: 1200 },
      { kind: "line", text: "ok" },
    ]);
  });

  it("an endless line costs bounded memory and ends as one overflow", async () => {
    const chunk = "z".repeat(64 * 1024);
    async function* endless() {
      for (let i = 0; i < 200; i++) yield chunk; // 12.5 MiB without a newline
    }
    const items: LineItem[] = [];
    for await (const item of readLines(endless(), 1024 * 1024)) items.push(item);
    expect(items).toEqual([{ kind: "overflow", bytes: 200 * chunk.length }]);
  });

  it("stderr keeps only its tail", () => {
    const tail = new StderrTail(100);
    for (let i = 0; i < 1000; i++) tail.push(`line ${i}\n`);
    expect(tail.text().length).toBeLessThanOrEqual(100);
    expect(tail.text()).toContain("line 999");
    expect(tail.truncated).toBe(true);
  });
});

const req = (over: Partial<AgentRequest> = {}): AgentRequest => ({
  runId: "r",
  prompt: "fix the tests",
  workspace: { kind: "local", directory: "/w" },
  timeoutMs: 1000,
  ...over,
});
const base = { configDir: "/cfg/w-1" };

describe("command line", () => {
  it("stream-json in and out + verbose, the prompt on stdin only, a new session id, allowed tools last", () => {
    const c = buildCommandLine(
      req(),
      { mode: "allow-tools", tools: ["Bash", "Read"] },
      { ...base, model: "opus", maxTurns: 5 },
    );
    expect(c.args.slice(0, 3)).toEqual(["-p", "--input-format", "stream-json"]);
    expect(c.args).toEqual(expect.arrayContaining(["--output-format", "stream-json", "--verbose"]));
    expect(c.args).not.toContain("fix the tests"); // never in the process table
    expect(c.stdinPrompt).toBe("fix the tests");
    expect(c.args[c.args.indexOf("--session-id") + 1]).toBe(c.newSessionId);
    expect(c.newSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.args.slice(-3)).toEqual(["--allowedTools", "Bash", "Read"]);
    expect(c.args[c.args.indexOf("--model") + 1]).toBe("opus");
    expect(c.args[c.args.indexOf("--max-turns") + 1]).toBe("5");
    expect(c.env).toEqual({ CLAUDE_CONFIG_DIR: "/cfg/w-1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
    expect(c.unsetEnv).toContain("IS_SANDBOX");
  });

  it("resume uses --resume and no new id; request model wins", () => {
    const c = buildCommandLine(
      req({ sessionId: "abc", model: "haiku" }),
      { mode: "default" },
      { ...base, model: "opus" },
    );
    expect(c.args[c.args.indexOf("--resume") + 1]).toBe("abc");
    expect(c.args).not.toContain("--session-id");
    expect(c.args[c.args.indexOf("--model") + 1]).toBe("haiku");
  });

  it("IS_SANDBOX=1 only for bypass", () => {
    const c = buildCommandLine(req(), { mode: "bypass" }, base);
    expect(c.env.IS_SANDBOX).toBe("1");
    expect(c.args).toEqual(expect.arrayContaining(["--permission-mode", "bypassPermissions"]));
    for (const policy of [{ mode: "default" as const }, { mode: "ask" as const }]) {
      expect(buildCommandLine(req(), policy, base).env.IS_SANDBOX).toBeUndefined();
    }
  });

  it("ask: stream-json input with the stdio permission tool; the prompt goes on stdin", () => {
    const c = buildCommandLine(req(), { mode: "ask", allowTools: ["Read"] }, base);
    expect(c.args).toEqual(
      expect.arrayContaining(["--input-format", "stream-json", "--permission-prompt-tool", "stdio"]),
    );
    expect(c.args).not.toContain("fix the tests");
    expect(c.stdinPrompt).toBe("fix the tests");
  });

  it("long prompts and prompts that look like options stay out of argv", () => {
    for (const prompt of ["x".repeat(200_000), "-rf everything"]) {
      const c = buildCommandLine(req({ prompt }), { mode: "default" }, base);
      expect(c.args.join(" ")).not.toContain(prompt);
      expect(c.stdinPrompt).toBe(prompt);
    }
  });

  it("one config dir per workspace, stable across turns", () => {
    const a = configDirFor("/root", { kind: "local", directory: "/src/app" });
    expect(configDirFor("/root", { kind: "local", directory: "/src/app/" })).toBe(a);
    expect(configDirFor("/root", { kind: "local", directory: "/other/app" })).not.toBe(a);
    expect(a).toMatch(/^\/root\/app-[0-9a-f]{12}$/);
    const pod = configDirFor("/p", { kind: "pod", namespace: "n", pod: "p1", directory: "/workspace" });
    expect(pod).toMatch(/^\/p\/workspace-[0-9a-f]{12}$/);
  });

  it("options from the configuration", () => {
    const config = loadConfig(
      { CLAUDE_BIN: "/opt/claude", CLAUDE_MAX_TURNS: "7", CODETHREAD_ALLOWED_TOOLS: "Read,Grep" },
      "/srv",
    );
    const o = claudeOptionsFromConfig(config, silentLogger);
    expect(o).toMatchObject({ bin: "/opt/claude", maxTurns: 7, configRoot: "/srv/.codethread/claude", sandbox: false });
    expect(o.defaultPermissions).toEqual({ mode: "allow-tools", tools: ["Read", "Grep"] });
    const ask = claudeOptionsFromConfig(
      loadConfig({ CODETHREAD_PERMISSION_POLICY: "ask", CODETHREAD_PERMISSION_TIMEOUT: "90s" }),
      silentLogger,
    );
    expect(ask.defaultPermissions).toMatchObject({ mode: "ask", timeoutMs: 90_000 });
  });
});

describe("tool summaries", () => {
  const cwd = "/home/dev/work";
  it.each([
    ["Bash", { command: "npm test -- --run" }, "Ran npm test -- --run"],
    ["Read", { file_path: "/home/dev/work/src/app.ts" }, "Read src/app.ts"],
    ["Write", { file_path: "/etc/hosts" }, "Wrote /etc/hosts"],
    ["Edit", { file_path: "/home/dev/work/a.ts" }, "Edited a.ts"],
    ["Grep", { pattern: "TODO" }, 'Searched for "TODO"'],
    ["Glob", { pattern: "**/*.ts" }, "Listed **/*.ts"],
    ["Agent", { description: "Explore the repo", prompt: "long" }, "Started subagent: Explore the repo"],
    ["WebFetch", { url: "https://example.com/x" }, "Fetched https://example.com/x"],
    ["mcp__db__query", { query: "select 1" }, "mcp__db__query: select 1"],
  ])("%s", (tool, input, expected) => {
    expect(describeToolUse(ClaudeTools, tool, input, cwd).summary).toBe(expected);
  });

  it("one bounded line without terminal escapes or control characters", () => {
    const s = summarizeToolUse("run", "Bash", {
      command: `echo "\u001b[31mred\u001b[0m"\r\nnext\u0007 ${"x".repeat(500)}`,
    });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(s).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(s.startsWith('Ran echo "red" ⏎ next')).toBe(true);
    expect(s.length).toBeLessThanOrEqual(MaxSummaryLength);
    expect(summarizeToolUse("run", "Bash", { command: `${"a".repeat(118)}😀😀` }).endsWith("…")).toBe(true);
  });

  it("failed results are marked", () => {
    expect(summarizeToolResult("Ran ls", false)).toBe("Ran ls — failed");
    expect(summarizeToolResult("Ran ls", true)).toBe("Ran ls");
  });
});

describe("the remote stop script kills every process group of the tree", () => {
  it("even when the process ignores SIGINT and SIGTERM", async () => {
    const { StopScript } = await import("../../src/agents/claude/remote-scripts.js");
    const { spawn } = await import("node:child_process");
    const { eventually, processesMentioning } = await import("./processes.js");
    const secs = String(7_000 + Math.floor(Math.random() * 90_000));
    const child = spawn("sh", ["-c", `trap '' INT TERM; setsid sleep ${secs} & sleep ${secs}; wait`], {
      detached: true,
      stdio: "ignore",
    });
    child.unref();
    const sleeps = () => processesMentioning(`sleep ${secs}`).filter((l) => /^\d+: sleep /.test(l)).length;
    const all = () => processesMentioning(`sleep ${secs}`).length;
    expect(await eventually(() => sleeps() === 2)).toBe(true);
    const pid = String(child.pid);
    try {
      for (const stage of ["interrupt", "terminate"]) spawnSync("sh", ["-c", StopScript, "stop", pid, stage]);
      expect(sleeps()).toBe(2);
      spawnSync("sh", ["-c", StopScript, "stop", pid, "kill"]);
      expect(await eventually(() => all() === 0)).toBe(true);
    } finally {
      for (const line of processesMentioning(`sleep ${secs}`)) process.kill(Number(line.split(":")[0]), "SIGKILL");
    }
  });
});

describe("the local runner's stop stages", () => {
  it("SIGINT and SIGTERM ignored: the kill stage still ends every process group of the tree", async () => {
    const { LocalRunner } = await import("../../src/agents/claude/local-runner.js");
    const { eventually, processesMentioning } = await import("./processes.js");
    const secs = String(7_000 + Math.floor(Math.random() * 90_000));
    const proc = new LocalRunner().start({
      bin: "sh",
      args: ["-c", `trap '' INT TERM; setsid sleep ${secs} & sleep ${secs}; wait`],
      env: {},
      unsetEnv: [],
      cwd: process.cwd(),
      stdin: "ignore",
    });
    const sleeps = () => processesMentioning(`sleep ${secs}`).filter((l) => /^\d+: sleep /.test(l)).length;
    try {
      expect(await eventually(() => sleeps() === 2)).toBe(true);
      await proc.stop("interrupt");
      await proc.stop("terminate");
      expect(sleeps()).toBe(2);
      await proc.stop("kill");
      const exit = await proc.exited;
      expect(exit.signal).toBe("SIGKILL");
      await proc.cleanup();
      expect(await eventually(() => processesMentioning(`sleep ${secs}`).length === 0)).toBe(true);
    } finally {
      for (const line of processesMentioning(`sleep ${secs}`)) process.kill(Number(line.split(":")[0]), "SIGKILL");
    }
  });
});
