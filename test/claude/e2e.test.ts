import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createClaudeCodeAgent } from "../../src/agents/claude/index.js";
import { ErrPromptRequired, ErrPromptTooLong } from "../../src/agents/errors.js";
import { pinnedVersionOf } from "../support/agent-clis.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import {
  claudeBin,
  collect,
  makeAgent,
  mockEnv,
  ofType,
  promptTexts,
  request,
  type Sandbox,
  useTestbed,
} from "./harness.js";

let mock: MockAnthropic;
let sb: Sandbox;
useTestbed(
  (m) => (mock = m),
  (s) => (sb = s),
);

describe("the real claude CLI against the mock API", () => {
  it("a tool run: session started, tool use and result with a summary, then the answer", async () => {
    const agent = makeAgent(mock, sb);
    const { events, result } = await collect(agent.execute(request(sb, "MOCK:bash list the files")));
    expect(events[0]?.type).toBe("session_started");
    const [use] = ofType(events, "tool_use");
    expect(use).toMatchObject({ tool: "Bash", kind: "shell", summary: "Ran ls" });
    expect(ofType(events, "tool_result")).toEqual([expect.objectContaining({ id: use?.id, ok: true })]);
    expect(result.outcome).toBe("succeeded");
    expect(result.text).toMatch(/^Done\. Tool said/);
    expect(result.sessionId).toBe(ofType(events, "session_started")[0]?.sessionId);
    expect(result.costUsd).toBeGreaterThan(0);
  });

  it("a resumed turn keeps the session and sends the earlier conversation to the API", async () => {
    const agent = makeAgent(mock, sb);
    const first = await collect(agent.execute(request(sb, "MOCK:bash first turn")));
    expect(first.result.outcome).toBe("succeeded");
    const sessionId = first.result.sessionId;
    expect(sessionId).toBeTruthy();
    mock.requests.length = 0;
    const second = await collect(agent.execute(request(sb, "second turn, plain answer", { sessionId })));
    expect(second.result).toMatchObject({ outcome: "succeeded", sessionId, text: "Hello from the mock model." });
    const body = mock.turns().at(-1);
    const history = JSON.stringify(body?.messages);
    expect(history).toContain("MOCK:bash first turn");
    expect(history).toContain("tool_result");
    expect(history).toContain("second turn, plain answer");
  });

  it("an API error is a failed run with the API's message", async () => {
    const agent = makeAgent(mock, sb);
    const { result } = await collect(agent.execute(request(sb, "MOCK:err500 please")));
    expect(result).toMatchObject({ outcome: "failed", errorCode: "api_error" });
    expect(result.error).toMatch(/500/);
  });

  it("an unknown resume id: the user is told the session is gone", async () => {
    const agent = makeAgent(mock, sb);
    const { result } = await collect(
      agent.execute(request(sb, "continue", { sessionId: "00000000-0000-4000-8000-000000000000" })),
    );
    expect(result).toMatchObject({ outcome: "failed", errorCode: "session_not_found" });
    expect(result.error).toMatch(/no longer exists/);
    expect(result.sessionId).toBeUndefined();
  });

  it("prompts full of quotes, $(…), backticks, newlines and non-ASCII arrive byte for byte", async () => {
    const agent = makeAgent(mock, sb);
    const marker = `${sb.root}/pwned`;
    const prompt = [
      `Say "hi" and 'bye' \\ $(touch ${marker}) \`touch ${marker}\` ; | & > < * ? ~ $HOME`,
      "tabs\tand\r\ncarriage, emoji 😀, accents éàü, CJK 漢字, RTL שלום, zero-width \u200b.",
      "  trailing spaces   ",
    ].join("\n");
    const { result } = await collect(agent.execute(request(sb, prompt)));
    expect(result.outcome).toBe("succeeded");
    expect(promptTexts(mock)).toContain(prompt);
    expect(existsSync(marker)).toBe(false);
  });

  it("a prompt starting with a dash is a prompt, not an option", async () => {
    const agent = makeAgent(mock, sb);
    const prompt = "--help is what I need, explain it";
    const { result } = await collect(agent.execute(request(sb, prompt)));
    expect(result.outcome).toBe("succeeded");
    expect(promptTexts(mock)).toContain(prompt);
  });

  it("a 200 KB prompt (beyond one argv string) arrives intact", async () => {
    const agent = makeAgent(mock, sb);
    const prompt = `MOCK:echo ${'ünïcødé and $(quotes) "x" `y`\n'.repeat(6_500)}`;
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(200_000);
    const { result } = await collect(agent.execute(request(sb, prompt)));
    expect(result.outcome).toBe("succeeded");
    expect(result.text).toBe(`Received ${Buffer.byteLength(prompt)} bytes.`);
    expect(promptTexts(mock)).toContain(prompt);
  });

  it("an empty, blank or over-long prompt is rejected before anything runs", () => {
    const agent = makeAgent(mock, sb);
    expect(() => agent.execute(request(sb, "  \n\t "))).toThrow(ErrPromptRequired);
    expect(() => agent.execute(request(sb, "x".repeat(300 * 1024)))).toThrow(ErrPromptTooLong);
    expect(mock.requests).toEqual([]);
  });

  it("a missing binary: failed, agent_unavailable; availability says why", async () => {
    const agent = createClaudeCodeAgent({
      bin: `${sb.root}/no/such/claude`,
      configRoot: sb.configRoot,
      kubectlBin: "kubectl",
      defaultPermissions: { mode: "default" },
      sandbox: false,
      env: mockEnv(mock, sb),
    });
    const { result } = await collect(agent.execute(request(sb, "hello")));
    expect(result).toMatchObject({ outcome: "failed", errorCode: "agent_unavailable" });
    expect(result.error).toMatch(/not found/);
    const availability = await agent.checkAvailability();
    expect(availability.available).toBe(false);
  });

  it("availability reports the version of the binary under test", async () => {
    const availability = await makeAgent(mock, sb).checkAvailability();
    // The pinned version this project runs (CLAUDE_BIN of another binary: any version string).
    const expected = pinnedVersionOf("claude-code", claudeBin());
    expect(availability).toMatchObject({
      available: true,
      version: expected ?? expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it("a missing workspace directory is a failed run, not a crash", async () => {
    const agent = makeAgent(mock, sb);
    const { result } = await collect(
      agent.execute(request(sb, "hi", { workspace: { kind: "local", directory: `${sb.root}/missing` } })),
    );
    expect(result).toMatchObject({ outcome: "failed", errorCode: "workspace_missing" });
  });
});
