import type { CodeAgent } from "../port.js";
import { ClaudeCodeAgent } from "./agent.js";
import type { ClaudeCodeOptions } from "./options.js";

export { claudeOptionsFromConfig, type ClaudeCodeOptions } from "./options.js";
export { replayClaudeTranscript } from "./replay.js";
export { ClaudeStreamMapper } from "./stream-mapper.js";
export { readLines } from "./line-reader.js";

/** The Claude Code provider (id `claude-code`). */
export function createClaudeCodeAgent(options: ClaudeCodeOptions): CodeAgent {
  return new ClaudeCodeAgent(options);
}
