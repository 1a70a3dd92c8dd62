import { ProviderRegistry } from "../../src/agents/registry.js";
import { makeAgent, makeSandbox, type Sandbox } from "../claude/harness.js";
import { type MockAnthropic, startMockAnthropic } from "./mock-anthropic.js";
import { SlackHarness } from "./slack-harness.js";

/** The real Claude Code CLI behind the real Bolt app and the fake Slack, against the mock LLM. */
export interface RealClaudeSlack {
  mock: MockAnthropic;
  sb: Sandbox;
  h: SlackHarness;
  stop(): Promise<void>;
}

/** Start it: the agent works in the sandbox's directory; short poll and lease so turns follow quickly. */
export async function startRealClaudeSlack(): Promise<RealClaudeSlack> {
  const mock = await startMockAnthropic();
  const sb = makeSandbox();
  const h = await SlackHarness.start({
    overrides: {
      registry: new ProviderRegistry().register(makeAgent(mock, sb)),
      worker: { pollMs: 50, leaseMs: 10_000, resolveWorkspace: () => ({ kind: "local", directory: sb.cwd }) },
    },
  });
  return {
    mock,
    sb,
    h,
    stop: async () => {
      await h.stop();
      await mock.close();
      sb.cleanup();
    },
  };
}
