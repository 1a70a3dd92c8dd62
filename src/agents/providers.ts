import { type Config, ConfigError } from "../config.js";
import type { Logger } from "../log.js";
import { claudeOptionsFromConfig, createClaudeCodeAgent, replayClaudeTranscript } from "./claude/index.js";
import type { AgentEvent } from "./events.js";
import { createOpenCodeAgent, opencodeOptionsFromConfig, replayOpenCodeSse } from "./opencode/index.js";
import type { CodeAgent } from "./port.js";
import { ProviderRegistry } from "./registry.js";

/** Normalizes a recorded vendor transcript (one line per item) to the AgentEvent stream. */
export type Replayer = (lines: AsyncIterable<string>, options?: { cwd?: string }) => AsyncIterable<AgentEvent>;

/** How to build each provider from the configuration. One line per provider. */
const factories: Record<string, (config: Config, log: Logger) => CodeAgent> = {
  "claude-code": (config, log) => createClaudeCodeAgent(claudeOptionsFromConfig(config, log)),
  opencode: (config, log) => createOpenCodeAgent(opencodeOptionsFromConfig(config, log)),
};

/** Transcript replayers for `codethread replay`. One line per provider. */
export const replayers: Record<string, Replayer> = {
  "claude-code": replayClaudeTranscript,
  opencode: replayOpenCodeSse,
};

/**
 * The providers of `config.runs.providers`, in that order (the first is the default). An unknown
 * or repeated id is a configuration error, reported before anything starts.
 */
export function createProviderRegistry(config: Config, log: Logger): ProviderRegistry {
  const ids = config.runs.providers;
  const problems = [
    ...ids
      .filter((id) => !factories[id])
      .map((id) => `CODETHREAD_PROVIDERS: unknown agent "${id}" (built in: ${Object.keys(factories).join(", ")})`),
    ...ids.filter((id, i) => ids.indexOf(id) !== i).map((id) => `CODETHREAD_PROVIDERS: "${id}" is listed twice`),
    ...(ids.length === 0 ? ["CODETHREAD_PROVIDERS: name at least one agent (claude-code, opencode)"] : []),
  ];
  if (problems.length) throw new ConfigError(problems);
  const registry = new ProviderRegistry();
  for (const id of ids) registry.register(factories[id]!(config, log));
  return registry;
}
