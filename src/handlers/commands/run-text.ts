import { decodeSlackText } from "../../slack/incoming-text.js";

/**
 * Text that is not a command is a request for the agent: options (`agent=claude-code`,
 * `model=sonnet`, `project=web`) first, in any order, then the prompt. The prompt stays as Slack sent it (markup
 * and all): it is decoded once, with user names, after the request was acknowledged.
 */
export type RunText =
  | { kind: "run"; slackPrompt: string; agent?: string; model?: string; project?: string }
  | { kind: "invalid"; message: string };

const optionPattern = /^(agent|model|project)=(\S*)$/i;

/** An example value per option, for the "needs a value" answer. */
const examples: Record<string, string> = { agent: "claude-code", model: "sonnet", project: "web" };

/** Aliases users type for the registered provider ids. */
/** Agent names are case-insensitive; aliases are resolved by the provider registry (the descriptors). */
export function normalizeAgent(name: string): string {
  return name.toLowerCase();
}

export function parseRunText(text: string): RunText {
  const words = text.split(/(\s+)/);
  let agent: string | undefined;
  let project: string | undefined;
  let model: string | undefined;
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.trim() === "") continue;
    const m = optionPattern.exec(w);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    const value = decodeSlackText(m[2]!);
    if (!value)
      return {
        kind: "invalid",
        message: `\`${key}=\` needs a value, e.g. \`${key}=${examples[key]}\`.`,
      };
    if (key === "agent") agent = normalizeAgent(value);
    else if (key === "model") model = value;
    else project = value;
  }
  // Only the whitespace between the options and the prompt goes; the prompt keeps its own.
  const slackPrompt = words
    .slice(i)
    .join("")
    .replace(/\s+$/, "")
    .replace(/^(?:[ \t]*\r?\n)+/, "");
  return { kind: "run", slackPrompt, agent, model, project };
}
