/** The longest a handler's work after its ack waits for the other requests' acks. */
export const DefaultAckFirstMaxWaitMs = 250;

/**
 * Acknowledgements before work. Slack gives a request 3 s for its HTTP answer and shows users an
 * error after that; what a handler does after acknowledging (the delivery claim, the run card, the
 * enqueue: database round trips and Slack calls) has no such deadline. With twenty `/agent`
 * commands arriving at once, each handler's work ran as soon as it had acknowledged its own
 * request, and the acknowledgements still to come waited behind those writes on the one event
 * loop (docs/BENCHMARKS.md, "Embedded default"). Handlers wait here after their ack until no
 * request that reached this loop is still waiting for its ack, so a burst is answered first and
 * worked on second — never longer than `maxWaitMs`, so a steady stream of requests cannot starve
 * the work. Slack's HTTP answer itself does not wait for this loop (src/slack/front/); the acks
 * going first keep a command's quick answer in that HTTP answer. HTTP mode's receiver counts the
 * requests (src/slack/front/front-receiver.ts); in Socket Mode the wait is none.
 */
export class AckFirst {
  #pending = 0;
  #waiters: (() => void)[] = [];

  constructor(private readonly maxWaitMs = DefaultAckFirstMaxWaitMs) {}

  /** A request to Slack's endpoint reached this loop (the receiver calls it). */
  arrived(): void {
    this.#pending++;
  }

  /** That request has its answer (an ack, or an error status). */
  answered(): void {
    this.#pending = Math.max(0, this.#pending - 1);
    if (this.#pending === 0) this.#release();
  }

  /** Requests received and not yet answered. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves once no request waits for its answer (or after the longest wait). */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.maxWaitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  #release(): void {
    // Let requests whose bytes arrived in the same turn register before the work goes ahead.
    setImmediate(() => {
      if (this.#pending > 0) return;
      for (const w of this.#waiters.splice(0)) w();
    });
  }
}
