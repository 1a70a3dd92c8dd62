import { type Config, ConfigError } from "../config.js";
import type { Logger } from "../log.js";
import { claudeCodeDescriptor } from "./claude/descriptor.js";
import { ErrUnknownProvider } from "./errors.js";
import { openCodeDescriptor } from "./opencode/descriptor.js";
import type { ProviderDescriptor } from "./provider-descriptor.js";
import { ProviderRegistry } from "./registry.js";
import type { AgentProvider } from "./request.js";

export type { ProviderDescriptor, Replayer } from "./provider-descriptor.js";

/**
 * Every built-in provider. One line per provider; a new one is its folder plus a line here. The
 * descriptors are light: a provider's code is imported only when it is built or replayed.
 */
export const providers: readonly ProviderDescriptor[] = [claudeCodeDescriptor, openCodeDescriptor];

/** The provider a name (id or alias, any case) stands for. */
export function findProvider(name: string): ProviderDescriptor | undefined {
  const n = name.trim().toLowerCase();
  return providers.find((p) => p.id === n || p.aliases.includes(n));
}

/** `claude-code (or claude, cc), opencode (or oc)`. */
export function knownProviderNames(): string {
  return providers.map((p) => (p.aliases.length ? `${p.id} (or ${p.aliases.join(", ")})` : p.id)).join(", ");
}

export interface RegistryOptions {
  /**
   * Build only this provider (id or alias; it must be configured; "default": the first). The CLI's
   * `run` uses it to start nothing it does not run.
   */
  only?: AgentProvider | "default";
}

/**
 * The providers of `config.runs.providers` (ids or aliases), in that order (the first is the
 * default). An unknown or repeated provider is a configuration error, reported before anything
 * starts. No `log`: the providers log nothing (and `codethread run` never loads pino).
 */
export async function createProviderRegistry(
  config: Config,
  log: Logger | undefined,
  options: RegistryOptions = {},
): Promise<ProviderRegistry> {
  const names = config.runs.providers;
  const found = names.map((name) => ({ name, descriptor: findProvider(name) }));
  const ids = found.map((f) => f.descriptor?.id);
  const problems = [
    ...found
      .filter((f) => !f.descriptor)
      .map((f) => `CODETHREAD_PROVIDERS: unknown agent "${f.name}" (built in: ${knownProviderNames()})`),
    ...found
      .filter((f, i) => f.descriptor && ids.indexOf(f.descriptor.id) !== i)
      .map(
        (f) =>
          `CODETHREAD_PROVIDERS: "${f.descriptor?.id}" is listed twice${f.name === f.descriptor?.id ? "" : ` (as "${f.name}")`}`,
      ),
    ...(names.length === 0 ? [`CODETHREAD_PROVIDERS: name at least one agent (${knownProviderNames()})`] : []),
  ];
  if (problems.length) throw new ConfigError(problems);
  const configured = found.map((f) => f.descriptor as ProviderDescriptor);
  let selected = configured;
  if (options.only !== undefined) {
    const only = options.only === "default" ? configured[0] : findProvider(options.only);
    if (!only || !configured.includes(only)) {
      throw new ErrUnknownProvider(
        options.only,
        configured.map((d) => d.id),
      );
    }
    selected = [only];
  }
  const built = await Promise.all(selected.map((d) => d.create(config, log)));
  const registry = new ProviderRegistry();
  selected.forEach((descriptor, i) => {
    registry.register(built[i]!, descriptor);
  });
  return registry;
}
