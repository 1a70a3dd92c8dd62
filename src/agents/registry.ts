import { ErrNoProviders, ErrProviderAlreadyRegistered, ErrUnknownProvider } from "./errors.js";
import type { ModelNames } from "./model-names.js";
import type { CodeAgent } from "./port.js";
import type { AgentProvider, WorkspaceKind } from "./request.js";

/** What the registry knows about a provider besides its agent (from its descriptor). */
export interface ProviderTraits {
  /** Other names people type for it (`cc`, `claude`), matched case-insensitively. */
  aliases?: readonly string[];
  /** Workspace kinds it can run in. Default: local only. */
  workspaces?: readonly WorkspaceKind[];
  /** The names `model=NAME` may give it. Absent: it takes no model choice. */
  models?: ModelNames;
}

const LocalOnly: readonly WorkspaceKind[] = ["local"];

/**
 * Holds the agent providers in registration order. The first registered is the default.
 * Every lookup accepts the id or an alias, in any case.
 *
 * All operations are synchronous, so concurrent callers (any number of async tasks) see a
 * consistent map: a register either fully happens before a get or fully after it.
 */
export class ProviderRegistry {
  readonly #agents = new Map<
    AgentProvider,
    { agent: CodeAgent; workspaces: readonly WorkspaceKind[]; models?: ModelNames }
  >();
  /** Lower-cased id or alias → id. */
  readonly #names = new Map<string, AgentProvider>();

  register(agent: CodeAgent, traits: ProviderTraits = {}): this {
    const names = [agent.id, ...(traits.aliases ?? [])].map((n) => n.toLowerCase());
    const taken = names.find((n) => this.#names.has(n));
    if (taken !== undefined || this.#agents.has(agent.id)) throw new ErrProviderAlreadyRegistered(taken ?? agent.id);
    this.#agents.set(agent.id, { agent, workspaces: traits.workspaces ?? LocalOnly, models: traits.models });
    for (const n of names) this.#names.set(n, agent.id);
    return this;
  }

  /** The id a name (id or alias, any case) stands for; undefined when none is registered under it. */
  resolve(name: string): AgentProvider | undefined {
    return this.#agents.has(name) ? name : this.#names.get(name.toLowerCase());
  }

  /** The provider with that id or alias; absent or undefined: the default. */
  get(name?: string): CodeAgent {
    if (name === undefined) return this.default();
    const id = this.resolve(name);
    const entry = id === undefined ? undefined : this.#agents.get(id);
    if (!entry) throw new ErrUnknownProvider(name, this.ids());
    return entry.agent;
  }

  has(name: string): boolean {
    return this.resolve(name) !== undefined;
  }

  /** True when the provider (id or alias) can run in that kind of workspace. */
  supports(name: string, kind: WorkspaceKind): boolean {
    const id = this.resolve(name);
    return id !== undefined && (this.#agents.get(id)?.workspaces.includes(kind) ?? false);
  }

  /** The model names the provider (id or alias) accepts; undefined: unknown provider, or no model choice. */
  models(name: string): ModelNames | undefined {
    const id = this.resolve(name);
    return id === undefined ? undefined : this.#agents.get(id)?.models;
  }

  default(): CodeAgent {
    const first = this.#agents.values().next();
    if (first.done) throw new ErrNoProviders();
    return first.value.agent;
  }

  ids(): AgentProvider[] {
    return [...this.#agents.keys()];
  }

  all(): CodeAgent[] {
    return [...this.#agents.values()].map((e) => e.agent);
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all().map((a) => a.close?.()));
  }
}
