import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CodeAgent } from "../../src/agents/port.js";
import { type ProviderDescriptor, providers } from "../../src/agents/providers.js";
import type { AgentRequest } from "../../src/agents/request.js";
import { makeAgent, makeSandbox } from "../claude/harness.js";
import { startMockAnthropic } from "./mock-anthropic.js";
import { startHarness } from "./opencode-harness.js";
import type { ScriptableLlm } from "./scripted-llm.js";

/**
 * The providers every contract suite runs on: each registered provider (src/agents/providers.ts)
 * with its real agent program against a scripted mock LLM, offline. A provider without a rig
 * here fails the suite, so a new provider cannot skip the contract.
 */
interface Rig {
  agent: CodeAgent;
  llm: ScriptableLlm;
  /** A fresh, empty directory to work in. */
  workspace(name: string): string;
  close(): Promise<void>;
}

/** The real `claude` CLI (the harness's binary) against mock-anthropic.ts. */
async function claudeRig(): Promise<Rig> {
  const mock = await startMockAnthropic();
  const sb = makeSandbox();
  let n = 0;
  return {
    agent: makeAgent(mock, sb),
    llm: mock,
    workspace(name) {
      const dir = path.join(sb.root, "projects", `${++n}-${name}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    async close() {
      await mock.close();
      sb.cleanup();
    },
  };
}

/** The real `opencode serve` (embedded, the harness's binary) against mock-openai.ts. */
async function opencodeRig(): Promise<Rig> {
  const h = await startHarness();
  return { agent: h.agent, llm: h.mock, workspace: (name) => h.sandbox.project(name), close: () => h.close() };
}

const rigs: Record<string, () => Promise<Rig>> = { "claude-code": claudeRig, opencode: opencodeRig };

/** What a contract test works with: one provider, its agent and its mock LLM. */
export interface ProviderUnderTest {
  readonly descriptor: ProviderDescriptor;
  readonly agent: CodeAgent;
  /** Set `llm.script` to decide what the model answers; `llm.seen` is what the model was sent. */
  readonly llm: ScriptableLlm;
  workspace(name: string): string;
  /** A request with a fresh run id and a generous time limit. */
  request(prompt: string, directory: string, over?: Partial<AgentRequest>): AgentRequest;
}

let runs = 0;

/**
 * Run the same suite against every registered provider; test names carry `[claude-code]` /
 * `[opencode]`. One agent and mock per provider and file; the script is reset before each test.
 */
export function describeEachProvider(name: string, suite: (p: ProviderUnderTest) => void): void {
  for (const descriptor of providers) {
    describe(`${name} [${descriptor.id}]`, () => {
      const start = rigs[descriptor.id];
      if (!start) {
        it("has a contract rig", () => {
          expect.fail(`add a rig for ${descriptor.id} to test/support/providers.ts`);
        });
        return;
      }
      let rig: Rig | undefined;
      const started = (): Rig => {
        if (!rig) throw new Error(`the ${descriptor.id} rig did not start`);
        return rig;
      };
      beforeAll(async () => {
        rig = await start();
      });
      afterAll(async () => {
        await rig?.close();
      });
      beforeEach(() => {
        started().llm.script = undefined;
        started().llm.seen.length = 0;
      });
      suite({
        descriptor,
        get agent() {
          return started().agent;
        },
        get llm() {
          return started().llm;
        },
        workspace: (n) => started().workspace(n),
        request: (prompt, directory, over = {}) => ({
          runId: `contract-${process.pid}-${++runs}`,
          prompt,
          provider: descriptor.id,
          workspace: { kind: "local", directory },
          timeoutMs: 120_000,
          ...over,
        }),
      });
    });
  }
}
