import { type Clock, systemClock } from "./clock.js";

export interface UserNamesOptions {
  /** Most names kept; past it the least recently used is dropped. */
  maxEntries?: number;
  /** How long a name found is trusted. */
  ttlMs?: number;
  /** How long a failed lookup (unknown user, missing scope, Slack down) is remembered before asking again. */
  failureTtlMs?: number;
  /** Longest wait for one lookup; past it the mention is shown as its id. */
  timeoutMs?: number;
  clock?: Clock;
}

export const DefaultUserNamesOptions = {
  maxEntries: 1000,
  ttlMs: 60 * 60_000,
  failureTtlMs: 5 * 60_000,
  timeoutMs: 3_000,
} as const;

interface Entry {
  name: string | undefined;
  expiresAt: number;
}

/**
 * Names of Slack users for mentions in prompts (`<@U123>` → `@alice`), looked up with users.info
 * behind a bounded cache: at most `maxEntries` names (least recently used dropped first), each
 * trusted for `ttlMs`; failures are remembered for `failureTtlMs` so an unknown id or a missing
 * `users:read` scope costs one call, not one per message. Concurrent lookups of one id share a call.
 * A lookup never throws and never waits longer than `timeoutMs`: undefined means "show the id".
 */
export class UserNames {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<string | undefined>>();
  readonly #o: Required<Omit<UserNamesOptions, "clock">>;
  readonly #clock: Clock;

  constructor(
    private readonly lookup: (userId: string) => Promise<string | undefined>,
    options: UserNamesOptions = {},
  ) {
    this.#o = { ...DefaultUserNamesOptions, ...options };
    this.#clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.#entries.size;
  }

  async nameOf(userId: string): Promise<string | undefined> {
    const hit = this.#entries.get(userId);
    if (hit && hit.expiresAt > this.#clock.now()) {
      this.#entries.delete(userId);
      this.#entries.set(userId, hit); // most recently used goes last
      return hit.name;
    }
    let pending = this.#inFlight.get(userId);
    if (!pending) {
      pending = this.#fetch(userId).finally(() => this.#inFlight.delete(userId));
      this.#inFlight.set(userId, pending);
    }
    return pending;
  }

  /** Names of several users at once (ids without a name are left out). */
  async namesOf(userIds: Iterable<string>): Promise<Map<string, string>> {
    const ids = [...new Set(userIds)];
    const names = await Promise.all(ids.map((id) => this.nameOf(id)));
    return new Map(ids.flatMap((id, i) => (names[i] ? [[id, names[i]] as const] : [])));
  }

  async #fetch(userId: string): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#o.timeoutMs);
      timer.unref();
    });
    const found = await Promise.race([this.lookup(userId).catch(() => undefined), timeout]).finally(() =>
      clearTimeout(timer),
    );
    const name = found === "timeout" ? undefined : found;
    this.#remember(userId, name);
    return name;
  }

  #remember(userId: string, name: string | undefined): void {
    this.#entries.delete(userId);
    this.#entries.set(userId, {
      name,
      expiresAt: this.#clock.now() + (name === undefined ? this.#o.failureTtlMs : this.#o.ttlMs),
    });
    while (this.#entries.size > this.#o.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
