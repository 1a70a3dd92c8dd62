import { type Config, ConfigError } from "../config.js";
import type { Logger } from "../log.js";
import { ErrUnknownProvider } from "./errors.js";
import type { AgentEvent } from "./events.js";
import type { CodeAgent } from "./port.js";
import { ProviderRegistry } from "./registry.js";
import type { AgentProvider } from "./request.js";

/** Normalizes a recorded vendor transcript (one line per item) to the AgentEvent stream. */
export type Replayer = (lines: AsyncIterable<string>, options?: { cwd?: string }) => AsyncIterable<AgentEvent>;

interface ProviderModule {
  create(config: Config, log: Logger | undefined): CodeAgent;
  replay: Replayer;
}

/**
 * How to build each provider from the configuration. One entry per provider; its module is
 * imported only when that provider is built or replayed, so `codethread run` with Claude Code
 * never loads OpenCode's HTTP client (and the reverse).
 */
const modules: Record<string, () => Promise<ProviderModule>> = {
  "claude-code": async () => {
    const m = await import("./claude/index.js");
    return {
      create: (config, log) => m.createClaudeCodeAgent(m.claudeOptionsFromConfig(config, log)),
      replay: m.replayClaudeTranscript,
    };
  },
  opencode: async () => {
    const [m, { silentLogger }] = await Promise.all([import("./opencode/index.js"), import("../log.js")]);
    return {
      create: (config, log) => m.createOpenCodeAgent(m.opencodeOptionsFromConfig(config, log ?? silentLogger)),
      replay: m.replayOpenCodeSse,
    };
  },
};

/** Ids of the built-in providers. */
export const builtInProviders = (): string[] => Object.keys(modules);

/** The transcript replayer of `codethread replay`, or undefined for an unknown provider. */
export async function loadReplayer(id: string): Promise<Replayer | undefined> {
  return (await modules[id]?.())?.replay;
}

export interface RegistryOptions {
  /**
   * Build only this provider (it must be configured; absent id: the default one). The CLI's
   * `run` uses it to start nothing it does not run.
   */
  only?: AgentProvider | "default";
}

/**
 * The providers of `config.runs.providers`, in that order (the first is the default). An unknown
 * or repeated id is a configuration error, reported before anything starts. No `log`: the
 * providers log nothing (and `codethread run` with Claude Code never loads pino).
 */
export async function createProviderRegistry(
  config: Config,
  log: Logger | undefined,
  options: RegistryOptions = {},
): Promise<ProviderRegistry> {
  const ids = config.runs.providers;
  const problems = [
    ...ids
      .filter((id) => !modules[id])
      .map((id) => `CODETHREAD_PROVIDERS: unknown agent "${id}" (built in: ${builtInProviders().join(", ")})`),
    ...ids.filter((id, i) => ids.indexOf(id) !== i).map((id) => `CODETHREAD_PROVIDERS: "${id}" is listed twice`),
    ...(ids.length === 0 ? ["CODETHREAD_PROVIDERS: name at least one agent (claude-code, opencode)"] : []),
  ];
  if (problems.length) throw new ConfigError(problems);
  const only = options.only === "default" ? ids[0] : options.only;
  if (only !== undefined && !ids.includes(only)) throw new ErrUnknownProvider(only, ids);
  const selected = only === undefined ? ids : [only];
  const built = await Promise.all(selected.map(async (id) => (await modules[id]!()).create(config, log)));
  const registry = new ProviderRegistry();
  for (const agent of built) registry.register(agent);
  return registry;
}
