import { ErrNoProviders, ErrProviderAlreadyRegistered, ErrUnknownProvider } from "./errors.js";
import type { CodeAgent } from "./port.js";
import type { AgentProvider } from "./request.js";

/**
 * Holds the agent providers in registration order. The first registered is the default.
 *
 * All operations are synchronous, so concurrent callers (any number of async tasks) see a
 * consistent map: a register either fully happens before a get or fully after it.
 */
export class ProviderRegistry {
  readonly #agents = new Map<AgentProvider, CodeAgent>();

  register(agent: CodeAgent): this {
    if (this.#agents.has(agent.id)) throw new ErrProviderAlreadyRegistered(agent.id);
    this.#agents.set(agent.id, agent);
    return this;
  }

  /** The provider with that id; absent or undefined id: the default. */
  get(id?: AgentProvider): CodeAgent {
    if (id === undefined) return this.default();
    const agent = this.#agents.get(id);
    if (!agent) throw new ErrUnknownProvider(id, this.ids());
    return agent;
  }

  has(id: AgentProvider): boolean {
    return this.#agents.has(id);
  }

  default(): CodeAgent {
    const first = this.#agents.values().next();
    if (first.done) throw new ErrNoProviders();
    return first.value;
  }

  ids(): AgentProvider[] {
    return [...this.#agents.keys()];
  }

  all(): CodeAgent[] {
    return [...this.#agents.values()];
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all().map((a) => a.close?.()));
  }
}
