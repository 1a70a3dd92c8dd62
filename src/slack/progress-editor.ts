import type { Logger } from "../log.js";
import type { Clock } from "./clock.js";
import { ErrSlackApi, ErrSlackRateLimited } from "./errors.js";
import { RateBudget } from "./rate-budget.js";
import type { Block, SlackApi } from "./slack-api.js";

export interface ProgressEditorOptions {
  /** Minimum time between two edits of one card. */
  cardIntervalMs: number;
  /** chat.update budget per workspace (Slack Tier 3 is ~50/min; keep headroom for final cards and buttons). */
  updatesPerMinute: number;
  /** Edits that may go out back to back after a quiet period. */
  burst: number;
}

export const DefaultProgressOptions: ProgressEditorOptions = { cardIntervalMs: 3_000, updatesPerMinute: 40, burst: 8 };

interface Card {
  teamId: string;
  channel: string;
  ts: string;
  render: () => { text: string; blocks: Block[] };
  dirty: boolean;
  lastSentAt: number;
  inFlight?: Promise<void>;
}

/**
 * Coalesces progress edits of live run cards: each card is edited at most once per
 * `cardIntervalMs`, and each workspace spends at most its chat.update budget; cards waiting the
 * longest go first. Edits carry the latest state, so events that arrive between two edits are
 * merged; a 429 leaves the card dirty (merged into the next edit) and pauses the workspace.
 * Nothing here retries or blocks: answers and errors go through a separate client.
 */
export class ProgressEditor {
  readonly #cards = new Map<string, Card>();
  readonly #budgets = new Map<string, RateBudget>();
  /** Final edits waiting for a token, per workspace: progress edits give way to them. */
  readonly #reserved = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(
    private readonly api: SlackApi,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly options: ProgressEditorOptions = DefaultProgressOptions,
  ) {}

  budget(teamId: string): RateBudget {
    let b = this.#budgets.get(teamId);
    if (!b) {
      b = new RateBudget(this.options.updatesPerMinute, this.options.burst, this.clock);
      this.#budgets.set(teamId, b);
    }
    return b;
  }

  /** Register a card (or refresh its renderer) and mark it changed. `immediate`: no per-card wait for the first edit. */
  touch(key: string, card: Omit<Card, "dirty" | "lastSentAt" | "inFlight">, immediate = false): void {
    const existing = this.#cards.get(key);
    if (existing) {
      existing.render = card.render;
      existing.dirty = true;
    } else {
      this.#cards.set(key, { ...card, dirty: true, lastSentAt: immediate ? 0 : this.clock.now() });
    }
    this.#pump();
  }

  /** Stop editing a card; resolves once an edit already on the wire has landed (so a final edit comes after it). */
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
        await new Promise((r) => setTimeout(r, Math.max(1, Math.min(budget.waitMs(), left))));
      }
    } finally {
      this.#reserved.set(teamId, (this.#reserved.get(teamId) ?? 1) - 1);
      this.#pump();
    }
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
      .sort((a, b) => a[1].lastSentAt - b[1].lastSentAt);
    for (const [key, card] of ready) {
      const due = card.lastSentAt + this.options.cardIntervalMs;
      if (due > now) {
        nextWake = Math.min(nextWake, due);
        continue;
      }
      const budget = this.budget(card.teamId);
      if (this.#reserved.get(card.teamId)) {
        nextWake = Math.min(nextWake, now + 20);
        continue;
      }
      if (!budget.tryTake()) {
        nextWake = Math.min(nextWake, now + Math.max(budget.waitMs(), 10));
        continue;
      }
      this.#send(key, card);
    }
    this.#schedule(nextWake);
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
    card.lastSentAt = this.clock.now();
    const { text, blocks } = card.render();
    card.inFlight = this.api
      .update({ channel: card.channel, ts: card.ts, text, blocks })
      .catch((err: unknown) => {
        if (err instanceof ErrSlackRateLimited) {
          this.budget(card.teamId).pause(err.retryAfterMs);
          if (this.#cards.get(key) === card) card.dirty = true;
          return;
        }
        const slackError = err instanceof ErrSlackApi ? err.slackError : undefined;
        this.log.warn({ err, channel: card.channel, ts: card.ts, slackError }, "run card edit failed");
      })
      .finally(() => {
        card.inFlight = undefined;
        this.#pump();
      });
  }
}
