import { readdirSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import { replayCommand } from "../../src/cli/commands/replay.js";
import { runCommand } from "../../src/cli/commands/run.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import { claudeBin, FixtureDir, type Sandbox, useTestbed } from "./harness.js";
import { eventually, processesMentioning } from "./processes.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}
const io = () => ({ stdout: new Capture(), stderr: new Capture() });
const events = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as AgentEvent);

let mock: MockAnthropic;
let sb: Sandbox;
const saved = { ...process.env };
useTestbed(
  (m) => (mock = m),
  (s) => (sb = s),
);
beforeEach(() => {
  Object.assign(process.env, {
    CODETHREAD_PROVIDERS: "claude-code",
    CODETHREAD_PERMISSION_POLICY: "allow-tools",
    CLAUDE_BIN: claudeBin(),
    CLAUDE_CONFIG_ROOT: sb.configRoot,
    HOME: sb.home,
    ANTHROPIC_BASE_URL: mock.url,
    ANTHROPIC_API_KEY: "test-key-not-secret",
    CLAUDE_CODE_MAX_RETRIES: "0",
  });
});
afterEach(() => {
  process.env = { ...saved };
});

describe("codethread run", () => {
  it("--json prints session started, tool use/result and a result, one event per line", async () => {
    const out = io();
    const code = await runCommand(["--provider", "claude-code", "--cwd", sb.cwd, "--json", "MOCK:bash list"], out);
    expect(code).toBe(0);
    const types = events(out.stdout.text).map((e) => e.type);
    expect(types[0]).toBe("session_started");
    expect(types).toContain("tool_use");
    expect(types).toContain("tool_result");
    expect(types.at(-1)).toBe("result");
  });

  it("human output: summaries, then the answer with cost and duration; --resume continues", async () => {
    const out = io();
    expect(await runCommand(["--provider", "claude-code", "--cwd", sb.cwd, "MOCK:bash list"], out)).toBe(0);
    expect(out.stdout.text).toContain("→ Ran ls");
    expect(out.stdout.text).toMatch(/Done\. Tool said/);
    expect(out.stdout.text).toMatch(/— succeeded · \$\d+\.\d{4} · \d+\.\d s · session ([0-9a-f-]{36})/);
    const session = /session ([0-9a-f-]{36})\n/.exec(out.stdout.text)?.[1] ?? "";
    const again = io();
    expect(await runCommand(["--cwd", sb.cwd, "--resume", session, "and now?"], again)).toBe(0);
    expect(again.stdout.text).toContain(`session ${session}`);
  });

  it("an unknown session: exit 1 and the user is told to start fresh", async () => {
    const out = io();
    const code = await runCommand(["--cwd", sb.cwd, "--resume", "00000000-0000-4000-8000-000000000000", "hi"], out);
    expect(code).toBe(1);
    expect(out.stderr.text).toMatch(/session_not_found: .*no longer exists/);
  });

  it("Ctrl-C cancels cleanly: exit 130, nothing left running", async () => {
    const out = io();
    const secs = 7_000 + Math.floor(Math.random() * 90_000);
    const running = runCommand(["--cwd", sb.cwd, "--json", `MOCK:longbash=${secs}`], out);
    expect(await eventually(() => processesMentioning(`sleep ${secs}`).length > 0, 30_000)).toBe(true);
    process.emit("SIGINT", "SIGINT");
    expect(await running).toBe(130);
    expect(events(out.stdout.text).at(-1)).toMatchObject({ type: "result", result: { outcome: "cancelled" } });
    expect(processesMentioning(`sleep ${secs}`)).toEqual([]);
  });

  it("bad input: blank prompt and unknown provider exit 2 with a message", async () => {
    const blank = io();
    expect(await runCommand(["--cwd", sb.cwd, "   "], blank)).toBe(2);
    expect(blank.stderr.text).toMatch(/prompt is empty/);
    const unknown = io();
    expect(await runCommand(["--provider", "nope", "hi"], unknown)).toBe(2);
    expect(unknown.stderr.text).toMatch(/Unknown agent "nope"/);
  });
});

describe("codethread replay", () => {
  const files = [
    ...readdirSync(FixtureDir).filter((f) => f.endsWith(".jsonl")),
    ...readdirSync(path.join(FixtureDir, "v2.1.197")).map((f) => `v2.1.197/${f}`),
  ];
  it.each(files)("%s replays without an error", async (name) => {
    const out = io();
    expect(await replayCommand(["--provider", "claude-code", path.join(FixtureDir, name), "--json"], out)).toBe(0);
    const evs = events(out.stdout.text);
    expect(evs.at(-1)?.type).toBe("result");
    expect(out.stderr.text).toBe("");
  });

  it("human output of a tool transcript", async () => {
    const out = io();
    const file = path.join(FixtureDir, "tool_multi.jsonl");
    expect(await replayCommand(["--provider", "claude-code", "--cwd", "/home/dev/work", file], out)).toBe(0);
    expect(out.stdout.text).toContain("→ Ran ");
    expect(out.stdout.text).toMatch(/— succeeded/);
  });

  it("a missing file or provider is reported", async () => {
    const a = io();
    expect(await replayCommand(["--provider", "claude-code", "/no/such.jsonl"], a)).toBe(1);
    expect(a.stderr.text).toMatch(/No such file/);
    const b = io();
    expect(await replayCommand(["x.jsonl"], b)).toBe(2);
  });
});
