import { randomUUID } from "node:crypto";
import type { AgentEvent, AgentResult } from "../../src/agents/events.js";
import { createOpenCodeAgent, type OpenCodeOptions } from "../../src/agents/opencode/index.js";
import type { CodeAgent } from "../../src/agents/port.js";
import type { AgentRequest, PermissionPolicy } from "../../src/agents/request.js";
import { silentLogger } from "../../src/log.js";
import { type MockOpenAI, startMockOpenAI } from "./mock-openai.js";
import { createOpenCodeSandbox, type OpenCodeSandbox, openCodeBin } from "./opencode-server.js";

/** A mock LLM, an offline sandbox and an OpenCode agent (embedded server unless `url` is given). */
export interface OpenCodeHarness {
  mock: MockOpenAI;
  sandbox: OpenCodeSandbox;
  agent: CodeAgent;
  close(): Promise<void>;
}

export async function startHarness(
  overrides: Partial<OpenCodeOptions> = {},
  config: Record<string, unknown> = {},
): Promise<OpenCodeHarness> {
  const mock = await startMockOpenAI();
  const sandbox = createOpenCodeSandbox(mock.baseURL, config);
  const agent = createOpenCodeAgent({
    bin: openCodeBin(),
    serverEnv: sandbox.env,
    serverCwd: sandbox.work,
    log: silentLogger,
    reconnect: { attempts: 3, delayMs: 200 },
    ...overrides,
  });
  return {
    mock,
    sandbox,
    agent,
    async close() {
      await agent.close?.();
      await mock.close();
      sandbox.cleanup();
    },
  };
}

export function request(
  prompt: string,
  directory: string,
  extra: Partial<AgentRequest> & { permissions?: PermissionPolicy } = {},
): AgentRequest {
  return {
    runId: randomUUID(),
    prompt,
    workspace: { kind: "local", directory },
    timeoutMs: 120_000,
    permissions: { mode: "bypass" },
    ...extra,
  };
}

export interface Collected {
  events: AgentEvent[];
  result: AgentResult;
  text: string;
  of<T extends AgentEvent["type"]>(type: T): Extract<AgentEvent, { type: T }>[];
}

/** Run to the end; `onEvent` may act on events as they arrive (approve, cancel). */
export async function collect(
  stream: AsyncIterable<AgentEvent>,
  onEvent?: (event: AgentEvent) => void | Promise<void>,
): Promise<Collected> {
  const events: AgentEvent[] = [];
  for await (const e of stream) {
    events.push(e);
    await onEvent?.(e);
  }
  const last = events.at(-1);
  if (last?.type !== "result") throw new Error(`stream ended without a result: ${JSON.stringify(last)}`);
  const of = <T extends AgentEvent["type"]>(type: T) =>
    events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
  return {
    events,
    result: last.result,
    text: of("text")
      .map((e) => e.text)
      .join(""),
    of,
  };
}

export { randomUUID };
