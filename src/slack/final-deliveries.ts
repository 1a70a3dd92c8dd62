import type { Logger } from "../log.js";
import { sleep } from "../sleep.js";

/**
 * Runs' final deliveries (answer, notices, final card) in the background, so a slow or stuck
 * Slack never holds the worker that finished the run. One thread's deliveries run in order
 * (a reply's answer never lands above the previous answer); threads do not wait for each other.
 * Bound: one pending task per finished run; each task's Slack calls are bounded by their
 * timeouts and retry policy. `close()` waits at most its grace period, then aborts `signal`
 * (retries stop, each call left gets one last attempt) and waits a short while more.
 */
export class FinalDeliveries {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #pending = new Set<Promise<void>>();
  readonly #abort = new AbortController();

  constructor(private readonly log: Logger) {}

  /** Aborted once close() has waited its grace period. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Queue `task` behind the thread's earlier deliveries; returns at once. Failures are logged. */
  add(threadKey: string, what: string, task: () => Promise<void>): void {
    const previous = this.#tails.get(threadKey) ?? Promise.resolve();
    const run = previous.then(task).catch((err: unknown) => {
      this.log.error({ err, threadKey, what }, "final delivery failed");
    });
    this.#tails.set(threadKey, run);
    this.#pending.add(run);
    void run.finally(() => {
      this.#pending.delete(run);
      if (this.#tails.get(threadKey) === run) this.#tails.delete(threadKey);
    });
  }

  /** Resolves when every delivery added so far has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** Flush: wait up to `graceMs` for the deliveries left, then stop their retries and wait `settleMs` more. */
  async close(graceMs: number, settleMs = 2_000): Promise<void> {
    if (!(await this.#within(graceMs))) {
      this.log.warn({ pending: this.#pending.size, graceMs }, "final deliveries still retrying at shutdown; giving up");
      this.#abort.abort();
      if (!(await this.#within(settleMs))) {
        this.log.error({ pending: this.#pending.size }, "final deliveries abandoned at shutdown");
      }
    }
  }

  async #within(ms: number): Promise<boolean> {
    const done = this.idle().then(() => true);
    return Promise.race([done, sleep(ms).then(() => false)]);
  }
}
