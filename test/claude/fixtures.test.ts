import { createReadStream, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { replayClaudeTranscript } from "../../src/agents/claude/index.js";
import type { AgentEvent } from "../../src/agents/events.js";
import { FixtureDir, ofType } from "./harness.js";

async function replay(name: string, cwd?: string): Promise<AgentEvent[]> {
  const lines = createInterface({ input: createReadStream(path.join(FixtureDir, name)), crlfDelay: Infinity });
  const out: AgentEvent[] = [];
  for await (const e of replayClaudeTranscript(lines, { cwd })) out.push(e);
  return out;
}

function resultOf(events: AgentEvent[]) {
  const last = events.at(-1);
  if (last?.type !== "result") throw new Error("no result last");
  return last.result;
}

const all = [
  ...readdirSync(FixtureDir).filter((f) => f.endsWith(".jsonl")),
  ...readdirSync(path.join(FixtureDir, "v2.1.197")).map((f) => `v2.1.197/${f}`),
];

describe("replaying captured transcripts (CLI 2.1.332 and 2.1.197)", () => {
  it.each(all)("%s ends with exactly one result and no error events", async (name) => {
    const events = await replay(name);
    expect(ofType(events, "result")).toHaveLength(1);
    expect(events.at(-1)?.type).toBe("result");
    expect(ofType(events, "error")).toHaveLength(0);
  });

  it("a plain answer: session started, the text, a success with cost", async () => {
    const events = await replay("text_simple.jsonl");
    expect(events[0]).toEqual({
      type: "session_started",
      sessionId: "022e09b4-941e-4df6-ab42-9bdcf1ae9286",
      model: "claude-opus-5-5",
    });
    expect(ofType(events, "text").map((e) => e.text)).toEqual(["Hello from the mock model."]);
    const r = resultOf(events);
    expect(r).toMatchObject({
      outcome: "succeeded",
      text: "Hello from the mock model.",
      sessionId: "022e09b4-941e-4df6-ab42-9bdcf1ae9286",
    });
    expect(r.costUsd).toBeGreaterThan(0);
  });

  it("thinking is not shown", async () => {
    const events = await replay("text_thinking.jsonl");
    expect(ofType(events, "text").map((e) => e.text)).toEqual(["Answer after thinking."]);
  });

  it.each(["tool_multi.jsonl", "v2.1.197/tool_multi.jsonl"])(
    "%s: parallel tools matched by id in completion order",
    async (name) => {
      const events = await replay(name, "/home/dev/work");
      const uses = ofType(events, "tool_use");
      const results = ofType(events, "tool_result");
      expect(uses.map((u) => [u.tool, u.kind])).toEqual([
        ["Bash", "shell"],
        ["Read", "read"],
        ["Write", "edit"],
      ]);
      expect(results).toHaveLength(3);
      // Read finished before Bash: results arrive in completion order, matched by id.
      expect(results[0]?.id).toBe(uses[1]?.id);
      expect(results[1]?.id).toBe(uses[0]?.id);
      expect(new Set(results.map((r) => r.id))).toEqual(new Set(uses.map((u) => u.id)));
      for (const u of uses) expect(u.summary.length).toBeGreaterThan(3);
      expect(resultOf(events).outcome).toBe("succeeded");
    },
  );

  it("tool summaries are workspace-relative and readable", async () => {
    const events = await replay("tool_bash.jsonl", "/home/dev/work");
    expect(ofType(events, "tool_use")[0]).toMatchObject({ kind: "shell", summary: "Ran ls" });
    expect(ofType(events, "tool_result")[0]).toMatchObject({ ok: true, output: "sample.txt" });
  });

  it("an HTTP 500 (success subtype with is_error) is a failed api_error with the message; retries are reported", async () => {
    const events = await replay("error_500_max_retries_2.jsonl");
    expect(ofType(events, "retrying").map((e) => e.attempt)).toEqual([1, 2]);
    const r = resultOf(events);
    expect(r.outcome).toBe("failed");
    expect(r.errorCode).toBe("api_error");
    expect(r.error).toMatch(/API Error: 500/);
    expect(ofType(events, "text")).toHaveLength(0); // the synthetic error message is not an answer
  });

  it("a 401 is a failed api_error", async () => {
    const r = resultOf(await replay("error_401_max_retries_0.jsonl"));
    expect(r).toMatchObject({ outcome: "failed", errorCode: "api_error" });
    expect(r.error).toMatch(/Invalid API key/);
  });

  it("an unknown resume id tells the user the session is gone", async () => {
    const r = resultOf(await replay("error_resume_unknown_uuid.jsonl"));
    expect(r).toMatchObject({ outcome: "failed", errorCode: "session_not_found" });
    expect(r.error).toMatch(/no longer exists.*new/i);
    expect(r.sessionId).toBeUndefined();
  });

  it.each(["cancel_sigint_streaming.jsonl", "cancel_sigint_tool.jsonl"])("%s is cancelled", async (name) => {
    expect(resultOf(await replay(name)).outcome).toBe("cancelled");
  });

  it("max turns (2.1.197) is a failed max_turns", async () => {
    const r = resultOf(await replay("v2.1.197/error_max_turns.jsonl"));
    expect(r).toMatchObject({ outcome: "failed", errorCode: "max_turns" });
  });

  it("permission asks over stdio become permission requests; the denied tool fails", async () => {
    const events = await replay("stdin_stream_permission_prompt_stdio.jsonl", "/home/dev/work");
    const asks = ofType(events, "permission_request");
    expect(asks.map((a) => [a.tool, a.summary])).toEqual([
      ["Write", "Wrote perm_allowed.txt"],
      ["Bash", "Ran rm -rf /tmp/x-not-there"],
    ]);
    expect(ofType(events, "tool_result").map((r) => r.ok)).toEqual([true, false]);
  });

  it("several turns in one process: one result, from the latest result line", async () => {
    const events = await replay("stdin_stream_two_messages.jsonl");
    expect(ofType(events, "session_started")).toHaveLength(1);
    expect(resultOf(events).text).toMatch(/^Done\. Tool said/);
  });

  it("unknown line types, unknown fields and garbage never break a replay", async () => {
    async function* lines() {
      yield '{"type":"system","subtype":"init","session_id":"s1","model":"m","brand_new":{"x":1}}';
      yield '{"type":"totally_new_event","payload":[1,2,3]}';
      yield "this is not json";
      yield '{"type":"assistant","message":{"content":[{"type":"hologram"},{"type":"text","text":"hi"}]}}';
      yield '{"type":"assistant","message":"not an object"}';
      yield '{"type":"result","subtype":"success","is_error":false,"result":"hi","session_id":"s1","new_field":true}';
    }
    const events: AgentEvent[] = [];
    for await (const e of replayClaudeTranscript(lines())) events.push(e);
    expect(events.map((e) => e.type)).toEqual(["session_started", "text", "result"]);
    expect(resultOf(events)).toMatchObject({ outcome: "succeeded", text: "hi", sessionId: "s1" });
  });

  it("denials (system/permission_denied and result.permission_denials) are reported once each", async () => {
    async function* lines() {
      yield '{"type":"system","subtype":"init","session_id":"s2"}';
      yield '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t1","name":"Write","input":{"file_path":"/w/a.txt"}}]}}';
      yield '{"type":"system","subtype":"permission_denied","tool_name":"Write","tool_use_id":"t1","message":"not allowed"}';
      yield '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"denied","is_error":true}]}}';
      yield '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t2","name":"Bash","input":{"command":"rm x"}}]}}';
      yield '{"type":"result","subtype":"success","is_error":false,"result":"ok","session_id":"s2","permission_denials":[{"tool_name":"Write","tool_use_id":"t1"},{"tool_name":"Bash","tool_use_id":"t2"}]}';
    }
    const events: AgentEvent[] = [];
    for await (const e of replayClaudeTranscript(lines(), { cwd: "/w" })) events.push(e);
    expect(ofType(events, "permission_denied")).toEqual([
      { type: "permission_denied", tool: "Write", id: "t1", reason: "not allowed" },
      { type: "permission_denied", tool: "Bash", id: "t2" },
    ]);
    expect(ofType(events, "tool_use")[0]?.summary).toBe("Wrote a.txt");
    expect(ofType(events, "tool_result")[0]).toMatchObject({ id: "t1", ok: false });
  });

  it("subagent tool uses carry their parent; tool results given as blocks are flattened", async () => {
    async function* lines() {
      yield '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"a1","name":"Agent","input":{"description":"Explore the repo","prompt":"look"}}]}}';
      yield '{"type":"assistant","parent_tool_use_id":"a1","message":{"content":[{"type":"tool_use","id":"g1","name":"Grep","input":{"pattern":"TODO"}}]}}';
      yield '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"a1","content":[{"type":"text","text":"found 3"},{"type":"text","text":"done"}]}]}}';
      yield '{"type":"result","subtype":"success","is_error":false,"result":"ok"}';
    }
    const events: AgentEvent[] = [];
    for await (const e of replayClaudeTranscript(lines())) events.push(e);
    const uses = ofType(events, "tool_use");
    expect(uses.map((u) => [u.kind, u.summary, u.parentId])).toEqual([
      ["task", "Started subagent: Explore the repo", undefined],
      ["search", 'Searched for "TODO"', "a1"],
    ]);
    expect(ofType(events, "tool_result")[0]).toEqual({
      type: "tool_result",
      id: "a1",
      ok: true,
      output: "found 3\ndone",
    });
  });
});

describe("replaying a transcript that was cut", () => {
  const lines = readFileSync(path.join(FixtureDir, "stdin_stream_two_messages.jsonl"), "utf8").trim().split("\n");
  async function* upTo(n: number) {
    yield* lines.slice(0, n);
  }

  it("a second turn without its result: the events so far, then transcript_truncated (not the first turn's outcome)", async () => {
    const firstResult = lines.findIndex((l) => l.includes('"type":"result"'));
    const events: AgentEvent[] = [];
    const replaying = (async () => {
      for await (const e of replayClaudeTranscript(upTo(lines.length - 1))) events.push(e);
    })();
    await expect(replaying).rejects.toMatchObject({ code: "transcript_truncated" });
    expect(firstResult).toBeLessThan(lines.length - 2);
    expect(ofType(events, "text").length).toBeGreaterThan(0);
    expect(ofType(events, "result")).toEqual([]);
  });

  it("lines that are no stream-json at all: not_a_transcript, with nothing of them in the message", async () => {
    async function* garbage() {
      yield "\u001b[2Jnot json";
      yield "[1, 2, 3]";
    }
    const error = await (async () => {
      for await (const _ of replayClaudeTranscript(garbage())) {
        // nothing is expected
      }
    })().catch((err: unknown) => err);
    expect(error).toMatchObject({ code: "not_a_transcript" });
    expect(String(error)).not.toContain("not json");
    expect(String(error)).not.toContain("\u001b");
  });
});
