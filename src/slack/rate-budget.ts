import type { Clock } from "./clock.js";

/**
 * A token bucket for one Slack method in one workspace (Slack's tiers are per method, per app,
 * per workspace). Refills continuously at `perMinute`; holds at most `burst` tokens. `force()`
 * takes a token even when none is left (calls that must happen, such as a run's final card),
 * so the debt delays later optional calls and the average stays within the budget.
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

  /** Take a token if one is available and Slack has not asked us to pause. */
  tryTake(): boolean {
    const now = this.#refill();
    if (now < this.#pausedUntil || this.#tokens < 1) return false;
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

  /** Milliseconds until `tryTake` can succeed. */
  waitMs(): number {
    const now = this.#refill();
    const forToken = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 60_000) / this.perMinute;
    return Math.max(forToken, this.#pausedUntil - now, 0);
  }
}
