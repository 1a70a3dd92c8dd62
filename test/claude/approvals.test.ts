import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import type { CodeAgent } from "../../src/agents/port.js";
import type { AgentRequest } from "../../src/agents/request.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import { collect, makeAgent, ofType, request, type Sandbox, useTestbed } from "./harness.js";

let mock: MockAnthropic;
let sb: Sandbox;
useTestbed(
  (m) => (mock = m),
  (s) => (sb = s),
);

/** Run with the "ask" policy, answering each permission request with `answer` (or not at all). */
async function runAsking(agent: CodeAgent, req: AgentRequest, answer?: { allow: boolean; message?: string }) {
  const events: AgentEvent[] = [];
  const answered: boolean[] = [];
  for await (const e of agent.execute(req)) {
    events.push(e);
    if (e.type === "permission_request" && answer)
      answered.push(await agent.respondToPermission(req.runId, e.id, answer));
  }
  return {
    ...(await collect(
      (async function* () {
        yield* events;
      })(),
    )),
    answered,
  };
}

describe("approvals (ask policy: --permission-prompt-tool stdio)", () => {
  const target = () => path.join(sb.root, "outside", "note.txt");

  it("an allowed write happens", async () => {
    const agent = makeAgent(mock, sb);
    const req = request(sb, `MOCK:write=${target()}`, { permissions: { mode: "ask" } });
    const { events, result, answered } = await runAsking(agent, req, { allow: true });
    const [ask] = ofType(events, "permission_request");
    expect(ask).toMatchObject({ tool: "Write", summary: `Wrote ${target()}` });
    expect(answered).toEqual([true]);
    expect(result.outcome).toBe("succeeded");
    expect(readFileSync(target(), "utf8")).toBe("hello from mock\n");
    expect(await agent.respondToPermission(req.runId, ask?.id ?? "", { allow: true })).toBe(false);
  });

  it("a denied write does not happen, and the agent hears the reason", async () => {
    const agent = makeAgent(mock, sb);
    const req = request(sb, `MOCK:write=${target()}`, { permissions: { mode: "ask" } });
    const { events, result } = await runAsking(agent, req, { allow: false, message: "Not in this repo, please" });
    expect(ofType(events, "permission_denied")).toEqual([
      expect.objectContaining({ tool: "Write", reason: "Not in this repo, please" }),
    ]);
    expect(ofType(events, "tool_result")[0]).toMatchObject({ ok: false, output: "Not in this repo, please" });
    expect(result.outcome).toBe("succeeded");
    expect(result.text).toContain("Not in this repo, please");
    expect(existsSync(target())).toBe(false);
  });

  it("a request nobody answers is denied after the configured time", async () => {
    const agent = makeAgent(mock, sb);
    const req = request(sb, `MOCK:write=${target()}`, { permissions: { mode: "ask", timeoutMs: 1_500 } });
    const { events, result } = await runAsking(agent, req);
    expect(ofType(events, "permission_denied")[0]?.reason).toMatch(/No one answered/);
    expect(result.outcome).toBe("succeeded");
    expect(existsSync(target())).toBe(false);
  });

  it("cancel while an approval is pending: cancelled, the request can no longer be answered", async () => {
    const agent = makeAgent(mock, sb);
    const req = request(sb, `MOCK:write=${target()}`, { permissions: { mode: "ask" } });
    const events: AgentEvent[] = [];
    let askId = "";
    for await (const e of agent.execute(req)) {
      events.push(e);
      if (e.type === "permission_request") {
        askId = e.id;
        await agent.cancel(req.runId);
      }
    }
    const last = events.at(-1);
    expect(last?.type === "result" && last.result.outcome).toBe("cancelled");
    expect(await agent.respondToPermission(req.runId, askId, { allow: true })).toBe(false);
    expect(existsSync(target())).toBe(false);
  });
});
