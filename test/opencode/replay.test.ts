import { createReadStream, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import { replayOpenCodeSse } from "../../src/agents/opencode/index.js";

const dir = path.resolve("test/fixtures/opencode");
const captures = readdirSync(dir).filter((f) => f.endsWith(".sse"));

async function replay(file: string, options?: { sessionId?: string; cwd?: string }): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const e of replayOpenCodeSse(
    createInterface({ input: createReadStream(path.join(dir, file)) }),
    options,
  )) {
    out.push(e);
  }
  return out;
}

async function* linesOf(text: string): AsyncIterable<string> {
  for (const line of text.split("\n")) yield line;
}

const of = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

describe("replaying captured OpenCode SSE streams", () => {
  it.each(captures)("%s: ends with exactly one result, last", async (file) => {
    const events = await replay(file);
    expect(of(events, "result")).toHaveLength(1);
    expect(events.at(-1)?.type).toBe("result");
    expect(events[0]?.type).toBe("session_started");
  });

  it("reads /event and /global/event captures of the same run alike", async () => {
    for (const name of ["03-sync-bash-tool", "08-permission", "13-question-tool"]) {
      const local = await replay(`${name}.event.sse`);
      const global = await replay(`${name}.global-event.sse`);
      const strip = (es: AgentEvent[]) =>
        es.map((e) => (e.type === "result" ? { ...e, result: { ...e.result, durationMs: 0 } } : e));
      expect(strip(global)).toEqual(strip(local));
    }
  });

  it("a bash run: one tool use and one result with the shared summaries, then the answer", async () => {
    const events = await replay("03-sync-bash-tool.event.sse", { cwd: "/home/dev/work" });
    expect(of(events, "tool_use")).toEqual([
      expect.objectContaining({ tool: "bash", kind: "shell", summary: "Ran ls" }),
    ]);
    expect(of(events, "tool_result")).toEqual([
      expect.objectContaining({ ok: true, output: expect.stringContaining("hello.txt") }),
    ]);
    const result = of(events, "result")[0]!.result;
    expect(result).toMatchObject({
      outcome: "succeeded",
      text: expect.stringContaining("Tool bash returned: hello.txt"),
    });
    expect(
      of(events, "text")
        .map((e) => e.text)
        .join(""),
    ).toBe(result.text);
  });

  it("a read run summarizes the path relative to the workspace", async () => {
    const events = await replay("04-async-read-tool.event.sse");
    const [use] = of(events, "tool_use");
    expect(use).toMatchObject({ tool: "read", kind: "read" });
    expect(use?.summary).toMatch(/^Read .*hello\.txt$/);
  });

  it("an aborted run is cancelled, with the text written so far", async () => {
    const result = of(await replay("06-abort-streaming-text.event.sse"), "result")[0]!.result;
    expect(result).toMatchObject({ outcome: "cancelled", text: "tick 0. tick 1. tick 2. tick 3. " });
  });

  it("approvals: requests, a rejection, and the tool results that followed", async () => {
    const events = await replay("08-permission.event.sse");
    expect(of(events, "permission_request").map((e) => e.summary)).toEqual([
      "Ran touch created-by-agent.txt",
      "Ran touch second.txt",
      "Ran touch third.txt",
    ]);
    expect(of(events, "permission_denied")).toEqual([expect.objectContaining({ tool: "bash" })]);
    expect(of(events, "tool_result").map((e) => e.ok)).toEqual([true, false, true, true]);
  });

  it("a provider error fails the run with its message; retries become retrying events", async () => {
    const first = of(await replay("09-errors.event.sse"), "result")[0]!.result;
    expect(first).toMatchObject({ outcome: "failed", errorCode: "agent_error" });
    expect(first.error).toContain("Model not found");
    const text = readFileSync(path.join(dir, "09-errors.event.sse"), "utf8");
    const retried = /"sessionID":"(ses_[^"]+)","status":\{"type":"retry"/.exec(text)![1]!;
    const events = await replay("09-errors.event.sse", { sessionId: retried });
    expect(of(events, "retrying")[0]).toMatchObject({ attempt: 1, reason: "Mock provider error 500" });
    expect(of(events, "error").length).toBeGreaterThan(0);
    expect(of(events, "result")[0]!.result).toMatchObject({ outcome: "failed", errorCode: "api_error" });
  });

  it("a question tool run shows the question and its answer", async () => {
    const events = await replay("13-question-tool.event.sse");
    expect(of(events, "tool_use")).toEqual([
      expect.objectContaining({ tool: "question", kind: "other", summary: "Asked a question" }),
    ]);
    expect(of(events, "tool_result")[0]?.output).toContain("blue");
  });

  it("skips malformed frames and keeps the rest", async () => {
    const clean = readFileSync(path.join(dir, "03-sync-bash-tool.event.sse"), "utf8");
    const garbage = [
      "data: {not json",
      "",
      'data: {"type":"message.part.updated","properties":{"part":{"id":5}}}',
      "",
      "data: []",
      "",
      ": a comment line",
      "retry: soon",
      "",
    ].join("\n");
    const frames = clean.split("\n\n");
    const dirty = [...frames.slice(0, 5), garbage, ...frames.slice(5)].join("\n\n");
    const expected: AgentEvent[] = [];
    for await (const e of replayOpenCodeSse(linesOf(clean))) expected.push(e);
    const got: AgentEvent[] = [];
    for await (const e of replayOpenCodeSse(linesOf(dirty))) got.push(e);
    const strip = (es: AgentEvent[]) => es.filter((e) => e.type !== "result");
    expect(strip(got)).toEqual(strip(expected));
  });
});
