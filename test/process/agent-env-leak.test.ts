import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeOptionsFromConfig, createClaudeCodeAgent } from "../../src/agents/claude/index.js";
import { opencodeOptionsFromConfig } from "../../src/agents/opencode/index.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import {
  claudeBin,
  request as claudeRequest,
  collect as collectClaude,
  makeSandbox,
  mockEnv,
} from "../claude/harness.js";
import { type MockAnthropic, startMockAnthropic } from "../support/mock-anthropic.js";
import { textOf } from "../support/mock-openai.js";
import { collect, request, startHarness } from "../support/opencode-harness.js";

/**
 * Leak 1 of issue 9: an agent's tool must not see the bot's own secrets. The secrets are set in
 * this process's environment (what the bot would hold), the real agent runs `env` with its Bash
 * tool, and the check is on what the mock LLM received as the tool result — what the agent saw.
 * Values are built at run time and are not token-shaped, so no scanner mistakes them for real ones.
 */
const stamp = randomUUID().replaceAll("-", "").slice(0, 12);
const botSecrets: Record<string, string> = {
  SLACK_BOT_TOKEN: `leaktest-slack-bot-${stamp}`,
  SLACK_SIGNING_SECRET: `leaktest-signing-${stamp}`,
  SLACK_APP_TOKEN: `leaktest-slack-app-${stamp}`,
  DATABASE_URL: `postgresql://leaktest-db-${stamp}@127.0.0.1:1/none`,
  TEST_DATABASE_URL: `postgresql://leaktest-testdb-${stamp}@127.0.0.1:1/none`,
  CODETHREAD_SECRET_KEY: `leaktest-secret-key-${stamp}`,
  GITEA_TOKEN: `leaktest-gitea-${stamp}`,
  WOODPECKER_API_TOKEN: `leaktest-woodpecker-${stamp}`,
  ACME_DEPLOY_TOKEN: `leaktest-unrelated-${stamp}`,
};
const Extra = "CT_LEAKTEST_AGENT_EXTRA";
const extraValue = `leaktest-allowed-extra-${stamp}`;

/** Options built the way `codethread start` builds them, with CODETHREAD_AGENT_ENV naming the extra. */
const config = (root: string) =>
  loadConfig({ CODETHREAD_AGENT_ENV: Extra, CODETHREAD_DATA_DIR: path.join(root, "data") }, root);

const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, botSecrets, { [Extra]: extraValue });
});
afterAll(() => {
  process.env = saved;
});

function expectNoSecrets(seen: string): void {
  expect(seen).toContain("PATH="); // `env` really ran and its output reached the LLM
  const leaked = Object.entries(botSecrets)
    .filter(([, value]) => seen.includes(value))
    .map(([name]) => name);
  expect(leaked).toEqual([]);
  expect(seen.includes(`${Extra}=${extraValue}`), `${Extra} (listed in CODETHREAD_AGENT_ENV) is missing`).toBe(true);
}

describe("the agent's environment never carries the bot's secrets", () => {
  let mock: MockAnthropic;
  beforeAll(async () => {
    mock = await startMockAnthropic();
  });
  afterAll(async () => {
    await mock?.close();
  });

  it("claude: the Bash tool's `env` shows no secret and shows the CODETHREAD_AGENT_ENV extra", async () => {
    const sb = makeSandbox();
    try {
      const agent = createClaudeCodeAgent({
        ...claudeOptionsFromConfig(config(sb.root), silentLogger),
        bin: claudeBin(),
        configRoot: sb.configRoot,
        defaultPermissions: { mode: "allow-tools", tools: ["Bash"] },
        env: mockEnv(mock, sb),
      });
      const { result } = await collectClaude(agent.execute(claudeRequest(sb, "MOCK:env print it")));
      expect(result.outcome).toBe("succeeded");
      const toolResults = mock
        .turns()
        .flatMap((b) => b.messages)
        .flatMap((m) => (typeof m.content === "string" ? [] : m.content))
        .filter((b) => b.type === "tool_result");
      expect(toolResults.length).toBeGreaterThan(0);
      expectNoSecrets(JSON.stringify(toolResults));
    } finally {
      sb.cleanup();
    }
  });

  it("opencode: the embedded server's bash tool `env` shows no secret and shows the extra", async () => {
    const root = makeSandbox();
    const h = await startHarness({ agentEnv: opencodeOptionsFromConfig(config(root.root), silentLogger).agentEnv });
    try {
      const run = await collect(h.agent.execute(request("MOCK:bash env", h.sandbox.project("env"))));
      expect(run.result.outcome).toBe("succeeded");
      const toolMessages = h.mock.requests.flatMap((r) => r.messages).filter((m) => m.role === "tool");
      expect(toolMessages.length).toBeGreaterThan(0);
      expectNoSecrets(toolMessages.map((m) => textOf(m.content)).join("\n"));
    } finally {
      await h.close();
      root.cleanup();
    }
  });
});
