import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, type OpenCodeHarness, request, startHarness } from "../support/opencode-harness.js";

/** The real `opencode serve` (embedded: started by the provider) against the mock LLM, offline. */
describe("opencode provider against the real server", () => {
  let h: OpenCodeHarness;
  beforeAll(async () => {
    h = await startHarness({}, { permission: { bash: { "*": "allow", "touch *": "ask" } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("reports the binary's version before the server is started", async () => {
    const availability = await h.agent.checkAvailability();
    expect(availability).toMatchObject({ available: true, version: "1.18.33" });
  });

  it("runs a tool: one tool use, its result, streamed text, the final answer, cost and tokens", async () => {
    const dir = h.sandbox.project("tool");
    const before = h.mock.requests.length;
    const run = await collect(h.agent.execute(request("list MOCK:bash echo hello-from-bash", dir)));
    expect(run.events[0]).toMatchObject({ type: "session_started" });
    expect(run.of("tool_use")).toEqual([
      expect.objectContaining({
        tool: "bash",
        kind: "shell",
        summary: "Ran echo hello-from-bash",
        input: expect.objectContaining({ command: "echo hello-from-bash" }),
      }),
    ]);
    const [use] = run.of("tool_use");
    expect(run.of("tool_result")).toEqual([
      expect.objectContaining({ id: use!.id, ok: true, output: expect.stringContaining("hello-from-bash") }),
    ]);
    expect(run.result).toMatchObject({ outcome: "succeeded", text: "Tool bash returned: hello-from-bash\n" });
    expect(run.text).toContain("Tool bash returned: hello-from-bash");
    expect(run.result.costUsd).toBeGreaterThan(0);
    expect(run.result.usage?.inputTokens).toBeGreaterThan(0);
    expect(run.of("result")).toHaveLength(1);
    // The title came with the session: no auxiliary (tool-less) title call reached the LLM.
    expect(h.mock.requests.slice(before).every((r) => r.tools.length > 0)).toBe(true);
    const availability = await h.agent.checkAvailability();
    expect(availability).toMatchObject({ available: true, version: "1.18.33" });
  });

  it("continues a session: the second turn remembers the first", async () => {
    const dir = h.sandbox.project("continue");
    const first = await collect(h.agent.execute(request("my name is Ada", dir)));
    expect(first.result.outcome).toBe("succeeded");
    const second = await collect(
      h.agent.execute(request("what did I say? MOCK:recall", dir, { sessionId: first.result.sessionId })),
    );
    expect(second.result).toMatchObject({ outcome: "succeeded", sessionId: first.result.sessionId });
    expect(second.result.text).toContain("my name is Ada");
    expect(h.mock.requests.at(-1)?.userTexts.join("\n")).toContain("my name is Ada");
    // Nothing of the first turn is replayed into the second.
    expect(second.text).not.toContain("Echo: my name is Ada");
  });

  it("stops a long bash command when cancelled", async () => {
    const dir = h.sandbox.project("abort");
    const req = request("MOCK:bash sleep 60 && touch finished.txt", dir);
    const run = await collect(h.agent.execute(req), async (e) => {
      if (e.type === "tool_use") await h.agent.cancel(req.runId);
    });
    expect(run.result.outcome).toBe("cancelled");
    expect(run.result.errorCode).toBeUndefined();
    expect(existsSync(path.join(dir, "finished.txt"))).toBe(false);
    // The session is usable afterwards.
    const next = await collect(h.agent.execute(request("are you there?", dir, { sessionId: run.result.sessionId })));
    expect(next.result).toMatchObject({ outcome: "succeeded", text: "Echo: are you there?" });
  });

  it("asks before a tool and runs it when approved", async () => {
    const dir = h.sandbox.project("approve");
    const req = request("MOCK:bash touch approved.txt", dir, { permissions: { mode: "ask" } });
    const run = await collect(h.agent.execute(req), async (e) => {
      if (e.type === "permission_request") {
        expect(await h.agent.respondToPermission(req.runId, e.id, { allow: true })).toBe(true);
      }
    });
    expect(run.of("permission_request")).toEqual([
      expect.objectContaining({ tool: "bash", summary: "Ran touch approved.txt" }),
    ]);
    expect(run.of("permission_denied")).toEqual([]);
    expect(run.of("tool_result")).toEqual([expect.objectContaining({ ok: true })]);
    expect(existsSync(path.join(dir, "approved.txt"))).toBe(true);
    expect(run.result.outcome).toBe("succeeded");
  });

  it("tells the agent why when a tool is rejected, and the turn continues", async () => {
    const dir = h.sandbox.project("reject");
    const req = request("MOCK:bash touch rejected.txt", dir, { permissions: { mode: "ask" } });
    const run = await collect(h.agent.execute(req), async (e) => {
      if (e.type === "permission_request") {
        await h.agent.respondToPermission(req.runId, e.id, { allow: false, message: "Not allowed from Slack" });
      }
    });
    expect(run.of("permission_denied")).toEqual([
      expect.objectContaining({ tool: "bash", reason: "Not allowed from Slack" }),
    ]);
    expect(run.of("tool_result")).toEqual([expect.objectContaining({ ok: false })]);
    expect(existsSync(path.join(dir, "rejected.txt"))).toBe(false);
    expect(run.result.outcome).toBe("succeeded");
    expect(run.result.text).toContain("Not allowed from Slack");
    // Answering again is a no-op.
    const [asked] = run.of("permission_request");
    expect(await h.agent.respondToPermission(req.runId, asked!.id, { allow: true })).toBe(false);
  });

  it("denies an unanswered approval after the policy's timeout", async () => {
    const dir = h.sandbox.project("unanswered");
    const req = request("MOCK:bash touch late.txt", dir, { permissions: { mode: "ask", timeoutMs: 300 } });
    const run = await collect(h.agent.execute(req));
    expect(run.of("permission_denied")).toEqual([
      expect.objectContaining({ reason: expect.stringContaining("No answer") }),
    ]);
    expect(existsSync(path.join(dir, "late.txt"))).toBe(false);
    expect(run.result.outcome).toBe("succeeded");
  });

  it("shows a subagent's approval request and its tool uses under the task", async () => {
    const dir = h.sandbox.project("subagent");
    const task = { description: "make a file", prompt: "MOCK:bash touch from-subagent.txt", subagent_type: "general" };
    const req = request(`MOCK:tool task ${JSON.stringify(task)}`, dir, {
      permissions: { mode: "ask", allowTools: ["Task"] },
    });
    const run = await collect(h.agent.execute(req), async (e) => {
      if (e.type === "permission_request") await h.agent.respondToPermission(req.runId, e.id, { allow: true });
    });
    expect(run.of("permission_request")).toEqual([expect.objectContaining({ summary: "Ran touch from-subagent.txt" })]);
    const taskUse = run.of("tool_use").find((e) => e.tool === "task");
    expect(taskUse).toMatchObject({ kind: "task", summary: "Started subagent: make a file" });
    expect(run.of("tool_use").find((e) => e.tool === "bash")).toMatchObject({ parentId: taskUse!.id });
    expect(existsSync(path.join(dir, "from-subagent.txt"))).toBe(true);
    expect(run.result.outcome).toBe("succeeded");
  });

  it("keeps tools outside allow-tools away from the agent", async () => {
    const dir = h.sandbox.project("allow-tools");
    const run = await collect(
      h.agent.execute(
        request("MOCK:bash touch nope.txt", dir, { permissions: { mode: "allow-tools", tools: ["Read"] } }),
      ),
    );
    expect(h.mock.requests.at(-1)?.tools).not.toContain("bash");
    expect(existsSync(path.join(dir, "nope.txt"))).toBe(false);
    expect(run.of("tool_result")).toEqual([expect.objectContaining({ ok: false })]);
    expect(run.result.outcome).toBe("succeeded");
  });

  it("never hangs on a question: declined by default, first option with bypass", async () => {
    const q = {
      questions: [
        {
          question: "Which color?",
          header: "Color",
          options: [
            { label: "blue", description: "b" },
            { label: "red", description: "r" },
          ],
        },
      ],
    };
    const dir = h.sandbox.project("question");
    const declined = await collect(
      h.agent.execute(request(`MOCK:tool question ${JSON.stringify(q)}`, dir, { permissions: { mode: "default" } })),
    );
    expect(declined.of("tool_use")).toEqual([expect.objectContaining({ summary: "Asked a question" })]);
    expect(declined.of("tool_result")).toEqual([expect.objectContaining({ ok: false })]);
    expect(declined.result.outcome).toBe("succeeded");
    const answered = await collect(h.agent.execute(request(`MOCK:tool question ${JSON.stringify(q)}`, dir)));
    expect(answered.of("tool_result")).toEqual([
      expect.objectContaining({ ok: true, output: expect.stringContaining("blue") }),
    ]);
  });

  it("fails with api_error when the model provider rejects the request", async () => {
    const run = await collect(h.agent.execute(request("MOCK:error 400", h.sandbox.project("provider-error"))));
    expect(run.result).toMatchObject({ outcome: "failed", errorCode: "api_error" });
    expect(run.result.error).toContain("Mock provider error 400");
  });

  it("cancels before the session exists: no prompt reaches the model", async () => {
    const before = h.mock.requests.length;
    const controller = new AbortController();
    controller.abort();
    const run = await collect(
      h.agent.execute(request("never sent", h.sandbox.project("early")), { signal: controller.signal }),
    );
    expect(run.result.outcome).toBe("cancelled");
    expect(h.mock.requests.length).toBe(before);
  });

  it("cancels as soon as the session exists (prompt in flight): cancelled, and the session still works", async () => {
    const dir = h.sandbox.project("in-flight");
    const req = request("MOCK:slow 30", dir);
    const run = await collect(h.agent.execute(req), async (e) => {
      if (e.type === "session_started") await h.agent.cancel(req.runId);
    });
    expect(run.result.outcome).toBe("cancelled");
    expect(run.result.text).not.toContain("tick 29.");
    const next = await collect(h.agent.execute(request("still there?", dir, { sessionId: run.result.sessionId })));
    expect(next.result).toMatchObject({ outcome: "succeeded", text: "Echo: still there?" });
  });

  it("cancels twice while text streams, and cancelling a finished run changes nothing", async () => {
    const dir = h.sandbox.project("twice");
    const req = request("MOCK:slow 40", dir);
    const run = await collect(h.agent.execute(req), async (e) => {
      if (e.type === "text") await Promise.all([h.agent.cancel(req.runId), h.agent.cancel(req.runId)]);
    });
    expect(run.result.outcome).toBe("cancelled");
    expect(run.result.text).toContain("tick 0.");
    const done = request("hello", dir);
    const finished = await collect(h.agent.execute(done));
    await h.agent.cancel(done.runId);
    await h.agent.cancel("no-such-run");
    expect(finished.result.outcome).toBe("succeeded");
  });

  it("stops at the run's time limit", async () => {
    const run = await collect(
      h.agent.execute({ ...request("MOCK:hang", h.sandbox.project("timeout")), timeoutMs: 1500 }),
    );
    expect(run.result.outcome).toBe("timed_out");
  });

  it("refuses pod workspaces with a clear failure", async () => {
    const run = await collect(
      h.agent.execute({ ...request("hi", "/"), workspace: { kind: "pod", namespace: "n", pod: "p", directory: "/w" } }),
    );
    expect(run.result).toMatchObject({ outcome: "failed", errorCode: "workspace_unsupported" });
  });

  it("throws only for an invalid request", async () => {
    await expect(collect(h.agent.execute(request("   ", "/")))).rejects.toMatchObject({ code: "prompt_required" });
  });
});
