import type { Clock } from "./clock.js";

/**
 * A token bucket for one Slack method in one workspace (Slack's tiers are per method, per app,
 * per workspace). Refills continuously at `perMinute`; holds at most `burst` tokens, so no window
 * of a minute sees more than `perMinute + burst` calls. Optional calls take a token only while
 * `keep` tokens stay behind (`tryTake(keep)`): those are for calls that must happen soon (a run's
 * final card). `force()` takes a token even when none is left, so the debt delays later optional
 * calls and the average stays within the budget.
 */
export class RateBudget {
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;

  constructor(
    readonly perMinute: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.#tokens = burst;
    this.#updatedAt = clock.now();
  }

  #refill(): number {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) * this.perMinute) / 60_000);
    this.#updatedAt = now;
    return now;
  }

  /** Take a token if one is available beyond `keep` and Slack has not asked us to pause. */
  tryTake(keep = 0): boolean {
    const now = this.#refill();
    if (now < this.#pausedUntil || this.#tokens < 1 + keep) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Take a token regardless (may go into debt). */
  force(): void {
    this.#refill();
    this.#tokens -= 1;
  }

  /** Slack answered 429 with Retry-After: no optional call until then. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.clock.now() + ms);
  }

  /** Milliseconds until `tryTake(keep)` can succeed. */
  waitMs(keep = 0): number {
    const now = this.#refill();
    const need = 1 + keep;
    const forToken = this.#tokens >= need ? 0 : ((need - this.#tokens) * 60_000) / this.perMinute;
    return Math.max(forToken, this.#pausedUntil - now, 0);
  }
}

/**
 * One value per workspace, made on first use: Slack's budgets are per workspace, so each method's
 * bucket (or a set of them) is kept by team id. Bound: one entry per workspace the app serves.
 */
export class PerWorkspace<T> {
  readonly #byTeam = new Map<string, T>();
  constructor(private readonly make: () => T) {}

  of(teamId: string): T {
    let v = this.#byTeam.get(teamId);
    if (v === undefined) {
      v = this.make();
      this.#byTeam.set(teamId, v);
    }
    return v;
  }
}
