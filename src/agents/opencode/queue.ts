import type { AgentEvent } from "../events.js";

/**
 * Bounded queue between the SSE reader and the consumer of `execute()`.
 *
 * Bound: `DefaultQueueCapacity` (256) events. A turn emits a few events per tool call plus
 * text; 256 absorbs a burst of parallel tool calls or a reconnect's reconciliation while the
 * consumer (the Slack publisher, throttled by Slack's rate limits to about one update per
 * second) is busy, and at the bounded sizes of our events (tool outputs are excerpts of a few
 * KB) caps the queue at about a megabyte per run.
 *
 * When the consumer is slow:
 * - text is coalesced: a `text` event appended after a queued `text` event is merged into it,
 *   so streaming text never takes more slots however fast the model writes (its size is bounded
 *   by the model's output);
 * - every other event waits for a free slot: `push()` resolves only once the event is queued,
 *   the reader awaits it before reading more from the socket, and TCP back-pressure reaches the
 *   server. Nothing is dropped, so no tool result and no final `result` is ever lost;
 * - if the consumer stops iterating (break, return), pushes resolve at once and are discarded;
 * - events caused by the consumer's own calls (`respondToPermission` → `permission_denied`) skip
 *   the bound (`pushNow`), so answering from inside the loop cannot deadlock; there is at most
 *   one such event per permission request.
 */
export const DefaultQueueCapacity = 256;

export class EventQueue implements AsyncIterable<AgentEvent> {
  readonly capacity: number;
  readonly #items: AgentEvent[] = [];
  #closed = false;
  #abandoned = false;
  #wakeConsumer?: () => void;
  readonly #wakeProducers: (() => void)[] = [];

  constructor(capacity = DefaultQueueCapacity) {
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#items.length;
  }

  async push(event: AgentEvent): Promise<void> {
    if (this.#closed || this.#abandoned) return;
    if (this.#coalesce(event)) return;
    while (this.#items.length >= this.capacity && !this.#abandoned) {
      await new Promise<void>((resolve) => this.#wakeProducers.push(resolve));
      if (this.#coalesce(event)) return;
    }
    if (this.#abandoned) return;
    this.#items.push(event);
    this.#wake();
  }

  /**
   * Queue at once, even past the bound: for the few events caused by the consumer's own calls
   * (a denied approval), so a consumer that answers from inside its loop can never block itself.
   */
  pushNow(event: AgentEvent): void {
    if (this.#closed || this.#abandoned || this.#coalesce(event)) return;
    this.#items.push(event);
    this.#wake();
  }

  /** No more events; the consumer ends after the queued ones. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #coalesce(event: AgentEvent): boolean {
    const last = this.#items.at(-1);
    if (event.type !== "text" || last?.type !== "text") return false;
    this.#items[this.#items.length - 1] = { type: "text", text: last.text + event.text };
    return true;
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  #release(): void {
    for (const wake of this.#wakeProducers.splice(0)) wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
    try {
      while (true) {
        const item = this.#items.shift();
        if (item) {
          this.#release();
          yield item;
          continue;
        }
        if (this.#closed) return;
        await new Promise<void>((resolve) => {
          this.#wakeConsumer = resolve;
        });
      }
    } finally {
      this.#abandoned = true;
      this.#items.length = 0;
      this.#release();
    }
  }
}
