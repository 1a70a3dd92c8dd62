import { type ModelNames, modelNames } from "../model-names.js";

/** The CLI's aliases (`claude --help`: "an alias for the latest model … or a model's full name"). */
export const ClaudeModelAliases = ["sonnet", "opus", "haiku", "fable", "opusplan"] as const;

const Alias = new RegExp(`^(${ClaudeModelAliases.join("|")})(\\[1m\\])?$`);
/** A full model id: `claude-sonnet-4-5`, `claude-opus-4-1-20250805`, optionally `[1m]` (1M context). */
const FullId = /^claude-[a-z0-9][a-z0-9.-]*(\[1m\])?$/;

/** What `model=` accepts for Claude Code (passed to `claude --model`). */
export const ClaudeModelNames: ModelNames = modelNames(
  `an alias (${ClaudeModelAliases.map((a) => `\`${a}\``).join(", ")}) or a full model id such as \`claude-sonnet-4-5\``,
  (name) => Alias.test(name) || FullId.test(name),
);
