import { describe, expect, it } from "vitest";
import { ClaudeTools } from "../../src/agents/claude/tools.js";
import { OpenCodeTools } from "../../src/agents/opencode/tools.js";
import { type ToolKind, ToolKinds } from "../../src/agents/tool-kind.js";
import { describeToolUse } from "../../src/agents/tool-summary.js";

const kinds = (table: typeof ClaudeTools, names: string[]) =>
  Object.fromEntries(names.map((n) => [n, describeToolUse(table, n, {}).kind]));

describe("tool kinds: each provider's names in one vocabulary", () => {
  it("Claude Code", () => {
    expect(
      kinds(ClaudeTools, [
        "Bash",
        "Read",
        "Write",
        "Edit",
        "MultiEdit",
        "NotebookEdit",
        "Glob",
        "Grep",
        "LS",
        "WebFetch",
        "WebSearch",
        "Task",
        "Agent",
        "BashOutput",
        "TodoWrite",
        "mcp__db__query",
      ]),
    ).toEqual({
      Bash: "shell",
      Read: "read",
      Write: "edit",
      Edit: "edit",
      MultiEdit: "edit",
      NotebookEdit: "edit",
      Glob: "search",
      Grep: "search",
      LS: "search",
      WebFetch: "web",
      WebSearch: "web",
      Task: "task",
      Agent: "task",
      BashOutput: "other",
      TodoWrite: "other",
      mcp__db__query: "other",
    } satisfies Record<string, ToolKind>);
  });

  it("OpenCode", () => {
    expect(
      kinds(OpenCodeTools, [
        "bash",
        "read",
        "write",
        "edit",
        "patch",
        "apply_patch",
        "glob",
        "grep",
        "list",
        "webfetch",
        "websearch",
        "task",
        "todowrite",
        "question",
        "invalid",
      ]),
    ).toEqual({
      bash: "shell",
      read: "read",
      write: "edit",
      edit: "edit",
      patch: "edit",
      apply_patch: "edit",
      glob: "search",
      grep: "search",
      list: "search",
      webfetch: "web",
      websearch: "web",
      task: "task",
      todowrite: "other",
      question: "other",
      invalid: "other",
    } satisfies Record<string, ToolKind>);
  });

  it("names are the vendor's own: another provider's spelling, or an inherited property, is unknown", () => {
    expect(describeToolUse(OpenCodeTools, "Bash", { command: "ls" })).toEqual({ kind: "other", summary: "Bash: ls" });
    expect(describeToolUse(ClaudeTools, "bash", { command: "ls" })).toEqual({ kind: "other", summary: "bash: ls" });
    expect(describeToolUse(ClaudeTools, "constructor", {})).toEqual({ kind: "other", summary: "Used constructor" });
    expect(ToolKinds).toContain(describeToolUse(ClaudeTools, "__proto__", {}).kind);
  });
});
