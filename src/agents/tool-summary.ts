import path from "node:path";

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

/** Terminal escape sequences (colours, cursor moves) that tools and commands may carry. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const AnsiEscape = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
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

/**
 * One short line describing a tool use, the same for every provider: `Ran npm test`,
 * `Edited src/app.ts`, `Searched for "TODO"`. Tool names are matched case-insensitively so
 * that Claude Code (`Bash`, `file_path`) and OpenCode (`bash`, `filePath`) read alike.
 * The result is plain text; use `toMrkdwn` before putting it in a Slack message.
 */
export function summarizeToolUse(tool: string, rawInput: unknown, cwd?: string): string {
  const input: Input = rawInput && typeof rawInput === "object" ? (rawInput as Input) : {};
  const file = str(input, "file_path", "filePath", "notebook_path", "path");
  const rel = file ? relativePath(file, cwd) : undefined;
  const name = tool.toLowerCase();
  let line: string;
  switch (name) {
    case "bash":
    case "shell": {
      const cmd = str(input, "command", "cmd");
      line = cmd ? `Ran ${cmd}` : "Ran a command";
      break;
    }
    case "bashoutput":
      line = "Read command output";
      break;
    case "killshell":
    case "killbash":
      line = "Stopped a background command";
      break;
    case "read":
      line = rel ? `Read ${rel}` : "Read a file";
      break;
    case "write":
      line = rel ? `Wrote ${rel}` : "Wrote a file";
      break;
    case "edit":
    case "multiedit":
    case "notebookedit":
    case "patch":
    case "apply_patch":
      line = rel ? `Edited ${rel}` : "Edited files";
      break;
    case "glob":
    case "list":
    case "ls": {
      const pattern = str(input, "pattern");
      line = pattern ? `Listed ${pattern}` : rel ? `Listed ${rel}` : "Listed files";
      break;
    }
    case "grep": {
      const pattern = str(input, "pattern");
      line = pattern ? `Searched for "${pattern}"` : "Searched files";
      break;
    }
    case "task":
    case "agent": {
      const desc = str(input, "description", "prompt");
      line = desc ? `Started subagent: ${desc}` : "Started a subagent";
      break;
    }
    case "webfetch": {
      const url = str(input, "url");
      line = url ? `Fetched ${url}` : "Fetched a web page";
      break;
    }
    case "websearch": {
      const q = str(input, "query");
      line = q ? `Searched the web for "${q}"` : "Searched the web";
      break;
    }
    case "todowrite":
    case "todoread":
      line = "Updated the to-do list";
      break;
    case "question":
    case "askuserquestion":
      line = "Asked a question";
      break;
    // OpenCode: its skill tool, and the permission it asks for paths outside the project.
    case "skill": {
      const skill = str(input, "name", "skill", "command");
      line = skill ? `Loaded skill ${skill}` : "Loaded a skill";
      break;
    }
    case "external_directory": {
      const where = str(input, "pattern", "filepath", "parentDir") ?? rel;
      line = where ? `Accessed ${where} outside the workspace` : "Accessed files outside the workspace";
      break;
    }
    default: {
      const detail = str(input, "description", "command", "pattern", "url", "query") ?? rel;
      line = detail ? `${tool}: ${detail}` : `Used ${tool}`;
    }
  }
  return oneLine(line);
}

/** The summary of a finished tool use: failures marked, success unchanged. */
export function summarizeToolResult(useSummary: string, ok: boolean): string {
  return ok ? useSummary : oneLine(`${useSummary} — failed`, MaxSummaryLength + 10);
}

/** Escape the three characters Slack mrkdwn treats as control (`&`, `<`, `>`). */
export function toMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
