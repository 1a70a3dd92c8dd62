import { type Config, ConfigError } from "../config.js";
import type { Logger } from "../log.js";
import { claudeCodeDescriptor } from "./claude/descriptor.js";
import { openCodeDescriptor } from "./opencode/descriptor.js";
import type { ProviderDescriptor } from "./provider-descriptor.js";
import { ProviderRegistry } from "./registry.js";

export type { ProviderDescriptor, Replayer } from "./provider-descriptor.js";

/** Every built-in provider. One line per provider; a new one is its folder plus a line here. */
export const providers: readonly ProviderDescriptor[] = [claudeCodeDescriptor, openCodeDescriptor];

/** The provider a name (id or alias, any case) stands for. */
export function findProvider(name: string): ProviderDescriptor | undefined {
  const n = name.trim().toLowerCase();
  return providers.find((p) => p.id === n || p.aliases.includes(n));
}

/** `claude-code (or claude, cc), opencode (or oc)`. */
function knownNames(): string {
  return providers.map((p) => (p.aliases.length ? `${p.id} (or ${p.aliases.join(", ")})` : p.id)).join(", ");
}

/**
 * The providers of `config.runs.providers` (ids or aliases), in that order (the first is the
 * default). An unknown or repeated provider is a configuration error, reported before anything starts.
 */
export function createProviderRegistry(config: Config, log: Logger): ProviderRegistry {
  const names = config.runs.providers;
  const found = names.map((name) => ({ name, descriptor: findProvider(name) }));
  const ids = found.map((f) => f.descriptor?.id);
  const problems = [
    ...found
      .filter((f) => !f.descriptor)
      .map((f) => `CODETHREAD_PROVIDERS: unknown agent "${f.name}" (built in: ${knownNames()})`),
    ...found
      .filter((f, i) => f.descriptor && ids.indexOf(f.descriptor.id) !== i)
      .map(
        (f) =>
          `CODETHREAD_PROVIDERS: "${f.descriptor?.id}" is listed twice${f.name === f.descriptor?.id ? "" : ` (as "${f.name}")`}`,
      ),
    ...(names.length === 0 ? [`CODETHREAD_PROVIDERS: name at least one agent (${knownNames()})`] : []),
  ];
  if (problems.length) throw new ConfigError(problems);
  const registry = new ProviderRegistry();
  for (const { descriptor } of found) if (descriptor) registry.register(descriptor.create(config, log), descriptor);
  return registry;
}
