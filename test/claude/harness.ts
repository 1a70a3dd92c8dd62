import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { type ClaudeCodeOptions, createClaudeCodeAgent } from "../../src/agents/claude/index.js";
import type { AgentEvent, AgentResult } from "../../src/agents/events.js";
import type { CodeAgent } from "../../src/agents/port.js";
import type { AgentRequest } from "../../src/agents/request.js";
import { agentCliForTests } from "../support/agent-clis.js";
import { type MockAnthropic, startMockAnthropic } from "../support/mock-anthropic.js";

/** The real `claude` the tests run (CLAUDE_BIN, else the pinned default); fails the test, naming `npm run agents:install`, when missing. */
export const claudeBin = (): string => agentCliForTests("claude-code");
export const FixtureDir = path.resolve("test/fixtures/claude");

/** A temp HOME, config root and workspace of its own for one test. */
export interface Sandbox {
  root: string;
  home: string;
  configRoot: string;
  cwd: string;
  cleanup(): void;
}

export function makeSandbox(): Sandbox {
  const root = mkdtempSync(path.join(tmpdir(), "ct-claude-"));
  const home = path.join(root, "home");
  const configRoot = path.join(root, "claude-config");
  const cwd = path.join(root, "work");
  for (const d of [home, configRoot, cwd]) mkdirSync(d, { recursive: true });
  return { root, home, configRoot, cwd, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Environment that points the real CLI at the mock, offline, failing fast. */
export function mockEnv(mock: MockAnthropic, sb: Sandbox, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: sb.home,
    ANTHROPIC_BASE_URL: mock.url,
    ANTHROPIC_API_KEY: "test-key-not-secret",
    CLAUDE_CODE_MAX_RETRIES: "0",
    ...extra,
  };
}

export function makeAgent(mock: MockAnthropic, sb: Sandbox, over: Partial<ClaudeCodeOptions> = {}): CodeAgent {
  return createClaudeCodeAgent({
    bin: claudeBin(),
    configRoot: sb.configRoot,
    kubectlBin: "kubectl",
    defaultPermissions: { mode: "allow-tools", tools: ["Bash", "Read", "Write", "Edit"] },
    sandbox: false,
    env: mockEnv(mock, sb),
    stopGraceMs: 3_000,
    ...over,
  });
}

let runs = 0;
export function request(sb: Sandbox, prompt: string, over: Partial<AgentRequest> = {}): AgentRequest {
  return {
    runId: `run-${process.pid}-${++runs}`,
    prompt,
    workspace: { kind: "local", directory: sb.cwd },
    timeoutMs: 120_000,
    ...over,
  };
}

export async function collect(
  events: AsyncIterable<AgentEvent>,
): Promise<{ events: AgentEvent[]; result: AgentResult }> {
  const out: AgentEvent[] = [];
  for await (const e of events) out.push(e);
  const last = out.at(-1);
  if (last?.type !== "result") throw new Error(`stream did not end with a result: ${JSON.stringify(last)}`);
  if (out.filter((e) => e.type === "result").length !== 1) throw new Error("more than one result event");
  return { events: out, result: last.result };
}

export function ofType<T extends AgentEvent["type"]>(
  events: AgentEvent[],
  type: T,
): Extract<AgentEvent, { type: T }>[] {
  return events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
}

/** Text blocks of every real prompt the mock received (system reminders excluded). */
export function promptTexts(mock: MockAnthropic): string[] {
  const out: string[] = [];
  for (const body of mock.turns()) {
    for (const m of body.messages) {
      if (m.role !== "user" || typeof m.content === "string") {
        if (m.role === "user" && typeof m.content === "string") out.push(m.content);
        continue;
      }
      for (const b of m.content) {
        if (b.type === "text" && typeof b.text === "string" && !b.text.startsWith("<system-reminder>"))
          out.push(b.text);
      }
    }
  }
  return out;
}

/**
 * Registers the usual hooks of a Claude test file: one mock API for the file (its request log
 * cleared before each test) and a fresh sandbox per test. Register it before a file's own
 * hooks: vitest runs them in order, so theirs can use the sandbox.
 */
export function useTestbed(onMock: (mock: MockAnthropic) => void, onSandbox: (sb: Sandbox) => void): void {
  let mock: MockAnthropic | undefined;
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    claudeBin(); // a missing CLI fails the file here, with the install command
    mock = await startMockAnthropic();
    onMock(mock);
  });
  afterAll(async () => {
    await mock?.close();
  });
  beforeEach(() => {
    if (mock) mock.requests.length = 0;
    sb = makeSandbox();
    onSandbox(sb);
  });
  afterEach(() => sb?.cleanup());
}
