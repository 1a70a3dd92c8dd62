import { type ToolTable, toolTable } from "../tool-kind.js";

/**
 * Claude Code's built-in tools (names as `stream-json` spells them) and what each does.
 * MCP tools (`mcp__server__tool`) and anything newer are kind `other` with a generic summary.
 */
export const ClaudeTools: ToolTable = toolTable({
  Bash: "run",
  BashOutput: "read-output",
  KillShell: "stop-command",
  KillBash: "stop-command",
  Read: "read",
  NotebookRead: "read",
  Write: "write",
  Edit: "edit",
  MultiEdit: "edit",
  NotebookEdit: "edit",
  Glob: "list",
  LS: "list",
  Grep: "search",
  WebFetch: "fetch",
  WebSearch: "web-search",
  Task: "subagent",
  Agent: "subagent",
  TodoWrite: "todo",
  AskUserQuestion: "question",
  Skill: "skill",
});
