import type { Logger } from "../log.js";
import { sleep } from "../sleep.js";
import type { Clock } from "./clock.js";
import { PerWorkspace, RateBudget } from "./rate-budget.js";
import { DefaultRetryPolicy, type RetryPolicy, retrySlackCall } from "./retry.js";
import type { Block, SlackApi } from "./slack-api.js";
import { classifySlackFailure } from "./slack-failure.js";

export interface ProgressEditorOptions {
  /** Minimum time between two edits of one card (a run's first tool use is shown at once). */
  cardIntervalMs: number;
  /**
   * chat.update budget per workspace. Slack's Tier 3 is ~50/min; `updatesPerMinute + burst`
   * must stay under it, since that is the most one minute can see.
   */
  updatesPerMinute: number;
  /** Edits that may go out back to back after a quiet period. */
  burst: number;
  /**
   * Tokens progress edits leave in the bucket for final cards (default ¾ of `burst`; never more
   * than the workspace has live cards): that many runs can end at once and show it at once,
   * however busy the workspace is.
   */
  finalReserve?: number;
}

export const DefaultProgressOptions: ProgressEditorOptions = {
  cardIntervalMs: 3_000,
  updatesPerMinute: 36,
  burst: 12,
  finalReserve: 9,
};

interface Card {
  teamId: string;
  channel: string;
  ts: string;
  render: () => { text: string; blocks: Block[] };
  dirty: boolean;
  /** Send without waiting for the per-card interval (the leading edge: a run's start, its first tool). */
  urgent: boolean;
  lastSentAt: number;
  inFlight?: Promise<void>;
}

/**
 * Coalesces progress edits of live run cards: each card is edited at most once per
 * `cardIntervalMs` (except urgent edits: a run's start and first tool use go out at once), and
 * each workspace spends at most its chat.update budget; urgent cards go first, then the cards
 * waiting the longest. Edits carry the latest state, so events that arrive between two edits are
 * merged. A 429 pauses the workspace and, like a timeout or a 5xx, leaves the card dirty (merged
 * into the next edit). Nothing here blocks the caller. Final cards (`finalEdit`) come ahead of
 * every progress edit and have a reserve of the budget to themselves.
 */
export class ProgressEditor {
  readonly #cards = new Map<string, Card>();
  readonly #budgets = new PerWorkspace(
    () => new RateBudget(this.options.updatesPerMinute, this.options.burst, this.clock),
  );
  /** Final edits waiting for a token, per workspace: progress edits give way to them. */
  readonly #reserved = new Map<string, number>();
  readonly #finalReserve: number;
  #timer: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(
    private readonly api: SlackApi,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly options: ProgressEditorOptions = DefaultProgressOptions,
    private readonly retry: RetryPolicy = DefaultRetryPolicy,
  ) {
    const reserve = options.finalReserve ?? Math.floor(options.burst * 0.75);
    this.#finalReserve = Math.max(0, Math.min(reserve, options.burst - 1));
  }

  budget(teamId: string): RateBudget {
    return this.#budgets.of(teamId);
  }

  /** Register a card (or refresh its renderer) and mark it changed. `urgent`: no per-card wait for this edit. */
  touch(key: string, card: Omit<Card, "dirty" | "urgent" | "lastSentAt" | "inFlight">, urgent = false): void {
    const existing = this.#cards.get(key);
    if (existing) {
      existing.render = card.render;
      existing.dirty = true;
      existing.urgent ||= urgent;
    } else {
      this.#cards.set(key, { ...card, dirty: true, urgent, lastSentAt: this.clock.now() });
    }
    this.#pump();
  }

  /** Stop editing a card (at once); resolves once an edit already on the wire has landed or timed out. */
  async finish(key: string): Promise<void> {
    const card = this.#cards.get(key);
    this.#cards.delete(key);
    await card?.inFlight;
  }

  /**
   * Wait for a token for an edit that must happen (a run's final card), ahead of progress edits.
   * Past `maxWaitMs` the token is taken anyway (into debt), so a final card is never held back for long.
   */
  async reserve(teamId: string, maxWaitMs = 20_000): Promise<void> {
    const budget = this.budget(teamId);
    this.#reserved.set(teamId, (this.#reserved.get(teamId) ?? 0) + 1);
    try {
      const deadline = this.clock.now() + maxWaitMs;
      while (!budget.tryTake()) {
        const left = deadline - this.clock.now();
        if (left <= 0 || this.#stopped) return budget.force();
        await sleep(Math.max(1, Math.min(budget.waitMs(), left)), undefined, { keepAlive: true });
      }
    } finally {
      this.#reserved.set(teamId, (this.#reserved.get(teamId) ?? 1) - 1);
      this.#pump();
    }
  }

  /**
   * A final card edit: a budget token ahead of progress edits, then the edit, retried per Slack's
   * error kind (a 429 also pauses the workspace's progress edits). Throws when Slack refuses for good.
   */
  async finalEdit(teamId: string, edit: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    await retrySlackCall(
      "final card",
      async () => {
        await this.reserve(teamId);
        await edit();
      },
      { policy: this.retry, log: this.log, signal, onRateLimited: (ms) => this.budget(teamId).pause(ms) },
    );
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #pump(): void {
    if (this.#stopped) return;
    const now = this.clock.now();
    let nextWake = Number.POSITIVE_INFINITY;
    const ready = [...this.#cards.entries()]
      .filter(([, c]) => c.dirty && !c.inFlight)
      .sort((a, b) => Number(b[1].urgent) - Number(a[1].urgent) || a[1].lastSentAt - b[1].lastSentAt);
    for (const [key, card] of ready) {
      const due = card.urgent ? now : card.lastSentAt + this.options.cardIntervalMs;
      if (due > now) {
        nextWake = Math.min(nextWake, due);
        continue;
      }
      const budget = this.budget(card.teamId);
      if (this.#reserved.get(card.teamId)) {
        nextWake = Math.min(nextWake, now + 20);
        continue;
      }
      const keep = this.#keep(card.teamId);
      if (!budget.tryTake(keep)) {
        nextWake = Math.min(nextWake, now + Math.max(budget.waitMs(keep), 10));
        continue;
      }
      this.#send(key, card);
    }
    this.#schedule(nextWake);
  }

  /** Tokens to leave for final cards: one per live card of the workspace, up to the reserve. */
  #keep(teamId: string): number {
    let live = 0;
    for (const c of this.#cards.values()) if (c.teamId === teamId && ++live >= this.#finalReserve) break;
    return Math.min(live, this.#finalReserve);
  }

  #schedule(at: number): void {
    if (at === Number.POSITIVE_INFINITY || at >= this.#wakeAt) return;
    clearTimeout(this.#timer);
    this.#wakeAt = at;
    this.#timer = setTimeout(
      () => {
        this.#wakeAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(at - this.clock.now(), 1),
    );
    this.#timer.unref();
  }

  #send(key: string, card: Card): void {
    card.dirty = false;
    card.urgent = false;
    card.lastSentAt = this.clock.now();
    const { text, blocks } = card.render();
    card.inFlight = this.api
      .update({ channel: card.channel, ts: card.ts, text, blocks })
      .catch((err: unknown) => {
        const failure = classifySlackFailure(err);
        if (failure.kind === "rate_limited") this.budget(card.teamId).pause(failure.retryAfterMs);
        const again = failure.kind === "rate_limited" || failure.kind === "transient";
        // Merged into the next edit (its interval still applies); a permanent refusal is not retried.
        if (again && this.#cards.get(key) === card) card.dirty = true;
        const level = again ? "debug" : "warn";
        this.log[level]({ err, channel: card.channel, ts: card.ts, slackError: failure.error }, "run card edit failed");
      })
      .finally(() => {
        card.inFlight = undefined;
        this.#pump();
      });
  }
}
