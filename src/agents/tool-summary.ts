import path from "node:path";
import { AnsiEscape } from "../text.js";
import { kindOf, type ToolAction, type ToolKind, type ToolTable } from "./tool-kind.js";

/** Longest summary line, in characters. Long enough for a typical command, short enough for a card. */
export const MaxSummaryLength = 120;

type Input = Record<string, unknown>;

function str(input: Input, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = input[key];
    if (typeof v === "string" && v.trim() !== "") return v;
  }
  return undefined;
}

/** Other control characters (tab and newline are handled separately). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const ControlChars = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Single line, bounded: newlines become ` ⏎ `, runs of spaces collapse, terminal escapes and
 * control characters are removed, and a cut never splits a surrogate pair.
 */
export function oneLine(text: string, max = MaxSummaryLength): string {
  const flat = text
    .replace(AnsiEscape, "")
    .replace(/\r\n?/g, "\n")
    .replace(/\s*\n\s*/g, " ⏎ ")
    .replace(ControlChars, "")
    .replace(/[\t ]+/g, " ")
    .trim();
  if (flat.length <= max) return flat;
  let cut = max - 1;
  const code = flat.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--; // keep surrogate pairs whole
  return `${flat.slice(0, cut)}…`;
}

/** A path relative to the workspace when it lies inside it, else as given. */
export function relativePath(p: string, cwd?: string): string {
  if (!cwd || !path.isAbsolute(p)) return p;
  const rel = path.relative(cwd, p);
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

/** What a tool use is, for every provider alike: its kind and one line a person reads. */
export interface ToolDescription {
  kind: ToolKind;
  summary: string;
}

/**
 * Kind and summary of a tool use, from the provider's table of its tool names. A name the
 * table does not know is kind `other` with a generic summary (`mcp__db__query: select 1`).
 */
export function describeToolUse(table: ToolTable, tool: string, input: unknown, cwd?: string): ToolDescription {
  const action = table.get(tool);
  return { kind: kindOf(action), summary: summarizeToolUse(action, tool, input, cwd) };
}

/**
 * One short line describing a tool use, the same for every provider: `Ran npm test`,
 * `Edited src/app.ts`, `Searched for "TODO"`. The wording follows the action (from the
 * provider's tool table); inputs are read under either naming (`file_path` / `filePath`).
 * The result is plain text; use `toMrkdwn` before putting it in a Slack message.
 */
export function summarizeToolUse(
  action: ToolAction | undefined,
  tool: string,
  rawInput: unknown,
  cwd?: string,
): string {
  const input: Input = rawInput && typeof rawInput === "object" ? (rawInput as Input) : {};
  const file = str(input, "file_path", "filePath", "notebook_path", "path");
  const rel = file ? relativePath(file, cwd) : undefined;
  return oneLine(phrase(action, tool, input, rel));
}

function phrase(action: ToolAction | undefined, tool: string, input: Input, rel: string | undefined): string {
  switch (action) {
    case "run": {
      const cmd = str(input, "command", "cmd");
      return cmd ? `Ran ${cmd}` : "Ran a command";
    }
    case "read-output":
      return "Read command output";
    case "stop-command":
      return "Stopped a background command";
    case "read":
      return rel ? `Read ${rel}` : "Read a file";
    case "write":
      return rel ? `Wrote ${rel}` : "Wrote a file";
    case "edit":
      return rel ? `Edited ${rel}` : "Edited files";
    case "list": {
      const pattern = str(input, "pattern");
      return pattern ? `Listed ${pattern}` : rel ? `Listed ${rel}` : "Listed files";
    }
    case "search": {
      const pattern = str(input, "pattern");
      return pattern ? `Searched for "${pattern}"` : "Searched files";
    }
    case "subagent": {
      const desc = str(input, "description", "prompt");
      return desc ? `Started subagent: ${desc}` : "Started a subagent";
    }
    case "fetch": {
      const url = str(input, "url");
      return url ? `Fetched ${url}` : "Fetched a web page";
    }
    case "web-search": {
      const q = str(input, "query");
      return q ? `Searched the web for "${q}"` : "Searched the web";
    }
    case "todo":
      return "Updated the to-do list";
    case "question":
      return "Asked a question";
    case "skill": {
      const skill = str(input, "name", "skill", "command");
      return skill ? `Loaded skill ${skill}` : "Loaded a skill";
    }
    case "outside-workspace": {
      const where = str(input, "pattern", "filepath", "parentDir") ?? rel;
      return where ? `Accessed ${where} outside the workspace` : "Accessed files outside the workspace";
    }
    case undefined: {
      const detail = str(input, "description", "command", "pattern", "url", "query") ?? rel;
      return detail ? `${tool}: ${detail}` : `Used ${tool}`;
    }
  }
}

/** The summary of a finished tool use: failures marked, success unchanged. */
export function summarizeToolResult(useSummary: string, ok: boolean): string {
  return ok ? useSummary : oneLine(`${useSummary} — failed`, MaxSummaryLength + 10);
}

/** Escape the three characters Slack mrkdwn treats as control (`&`, `<`, `>`). */
export function toMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
