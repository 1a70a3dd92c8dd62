import type { CodeAgent } from "../port.js";
import { ClaudeCodeAgent } from "./agent.js";
import type { ClaudeCodeOptions } from "./options.js";

export { readLines } from "../../process/line-reader.js";
export { type ClaudeCodeOptions, claudeOptionsFromConfig } from "./options.js";
export { replayClaudeTranscript } from "./replay.js";
export { ClaudeStreamMapper } from "./stream-mapper.js";

/** The Claude Code provider (id `claude-code`). */
export function createClaudeCodeAgent(options: ClaudeCodeOptions): CodeAgent {
  return new ClaudeCodeAgent(options);
}
