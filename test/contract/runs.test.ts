import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { collect } from "../support/opencode-harness.js";
import { describeEachProvider } from "../support/providers.js";

/** The provider contract, part 1: what every provider does for a turn, checked the same way for each. */
describeEachProvider("provider contract: runs", (p) => {
  it("starts a session and answers: session first, the answer streamed, one result last", async () => {
    p.llm.script = () => ({ text: "Hello from the contract." });
    const run = await collect(p.agent.execute(p.request("Say hello", p.workspace("answer"))));
    const [started] = run.of("session_started");
    expect(run.events[0]).toEqual(started);
    expect(started?.sessionId).toBeTruthy();
    expect(run.text).toContain("Hello from the contract.");
    expect(run.result).toMatchObject({
      outcome: "succeeded",
      text: "Hello from the contract.",
      sessionId: started?.sessionId,
    });
    expect(run.of("result")).toHaveLength(1);
    expect(p.llm.seen.at(-1)?.prompt).toContain("Say hello");
  });

  it("uses a tool: one tool use with kind and summary, its result, and the model sees the output", async () => {
    const marker = `contract-${randomUUID().slice(0, 8)}`;
    p.llm.script = ({ step, toolOutput }) =>
      step === 0 ? { tool: { kind: "shell", command: `echo ${marker}` } } : { text: `The tool said ${toolOutput}` };
    const run = await collect(
      p.agent.execute(
        p.request("Run the echo", p.workspace("tool"), { permissions: { mode: "allow-tools", tools: ["Bash"] } }),
      ),
    );
    const uses = run.of("tool_use");
    expect(uses).toEqual([expect.objectContaining({ kind: "shell", summary: `Ran echo ${marker}` })]);
    expect(run.of("tool_result")).toEqual([
      expect.objectContaining({ id: uses[0]?.id, ok: true, output: expect.stringContaining(marker) }),
    ]);
    expect(p.llm.seen.at(-1)?.toolOutput).toContain(marker);
    expect(run.result.outcome).toBe("succeeded");
    expect(run.result.text).toContain(marker);
  });

  it("resumes: the second turn continues the session and the model is sent the first turn", async () => {
    const word = `pelican-${randomUUID().slice(0, 8)}`;
    p.llm.script = ({ prompt, prompts }) =>
      prompt.includes("What did I say") ? { text: `You said: ${prompts.join(" | ")}` } : { text: "Noted." };
    const dir = p.workspace("resume");
    const first = await collect(p.agent.execute(p.request(`Remember the word ${word}`, dir)));
    expect(first.result.outcome).toBe("succeeded");
    const second = await collect(
      p.agent.execute(p.request("What did I say?", dir, { sessionId: first.result.sessionId })),
    );
    expect(second.result).toMatchObject({ outcome: "succeeded", sessionId: first.result.sessionId });
    const sent = p.llm.seen.at(-1);
    expect(sent?.prompts.some((t) => t.includes(`Remember the word ${word}`))).toBe(true);
    expect(sent?.prompt).toContain("What did I say?");
    expect(second.result.text).toContain(word);
    // The first turn's answer is not replayed as new output of the second.
    expect(second.text).not.toContain("Noted.");
  });

  it("reports an LLM API error as a failed run with a message a person can read", async () => {
    const message = "contract: this request is refused by the model provider";
    p.llm.script = () => ({ error: { status: 400, message } });
    const run = await collect(p.agent.execute(p.request("Try something", p.workspace("api-error"))));
    expect(run.result).toMatchObject({ outcome: "failed", errorCode: "api_error" });
    expect(run.result.error).toContain(message);
    expect(run.result.error).not.toMatch(/^\s*[{[]/);
    expect(run.of("result")).toHaveLength(1);
  });
});
