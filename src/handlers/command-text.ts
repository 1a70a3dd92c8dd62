/**
 * The text after `/agent` (or after the mention): a subcommand, or options then a prompt.
 * Options (`agent=claude-code`, `project=web`) may appear anywhere before the prompt starts.
 */
export type AgentCommand =
  | { kind: "help" }
  | { kind: "status" }
  | { kind: "run"; prompt: string; agent?: string; project?: string }
  | { kind: "invalid"; message: string };

const optionPattern = /^(agent|project)=(\S*)$/i;

/** Aliases users type for the registered provider ids. */
const agentAliases: Record<string, string> = {
  claude: "claude-code",
  "claude-code": "claude-code",
  opencode: "opencode",
};

export function normalizeAgent(name: string): string {
  return agentAliases[name.toLowerCase()] ?? name.toLowerCase();
}

export function parseAgentCommand(text: string): AgentCommand {
  const trimmed = text.trim();
  const single = trimmed.split(/\s+/).length === 1 ? trimmed.toLowerCase() : undefined;
  if (trimmed === "" || single === "help" || single === "--help") return { kind: "help" };
  if (single === "status") return { kind: "status" };

  const words = trimmed.split(/(\s+)/);
  let agent: string | undefined;
  let project: string | undefined;
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.trim() === "") continue;
    const m = optionPattern.exec(w);
    if (!m) break;
    const value = m[2]!;
    if (!value)
      return {
        kind: "invalid",
        message: `\`${m[1]}=\` needs a value, e.g. \`${m[1]}=${m[1] === "agent" ? "claude-code" : "web"}\`.`,
      };
    if (m[1]!.toLowerCase() === "agent") agent = normalizeAgent(value);
    else project = value;
  }
  const prompt = words.slice(i).join("").trim();
  return { kind: "run", prompt, agent, project };
}

/** Remove `<@BOT>` mentions from a message's text. */
export function stripMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  return text
    .replaceAll(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, "g"), " ")
    .replace(/[ \t]+/g, " ")
    .trim();
}
