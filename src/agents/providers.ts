import type { Config } from "../config.js";
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

/** The providers of `config.runs.providers`, in that order (the first is the default). */
export function createProviderRegistry(config: Config, log: Logger): ProviderRegistry {
  const registry = new ProviderRegistry();
  for (const id of config.runs.providers) {
    const make = factories[id];
    if (!make) {
      log.warn({ provider: id, known: Object.keys(factories) }, "provider not built into this version; skipped");
      continue;
    }
    registry.register(make(config, log));
  }
  return registry;
}
