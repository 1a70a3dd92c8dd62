import { messageOf } from "../errors.js";
import type { Logger } from "../log.js";

/** Most writes waiting behind each other before the run's event stream waits for them (back-pressure). */
export const MaxWaitingRunWrites = 256;

/**
 * A run's bookkeeping written while the run goes on: its session id as soon as it is known, one
 * audit record per tool use. In order, one at a time, each retried by the database wrapper; a
 * write that fails past the retry budget is logged and the next one goes on. During a database
 * outage the agent's progress and answer still reach Slack at once instead of waiting for each
 * write (up to CODETHREAD_DB_RETRY apiece).
 *
 * Bound: at most `MaxWaitingRunWrites` writes wait; `add` for one more resolves only once the
 * oldest is done, so a long outage slows the run's event stream instead of growing memory.
 * `settled()` before anything that must come after them (the final session write, the outcome).
 */
export class RunWrites {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  constructor(
    private readonly log: Logger,
    private readonly jobId: string,
  ) {}

  /** Queue `write` behind the others; resolves at once unless the bound is reached. */
  async add(what: string, write: () => Promise<void>): Promise<void> {
    this.#waiting++;
    const done = this.#tail.then(write).then(
      () => {
        this.#waiting--;
      },
      (err: unknown) => {
        this.#waiting--;
        this.log.error({ jobId: this.jobId, err: messageOf(err) }, `could not record ${what}`);
      },
    );
    this.#tail = done;
    if (this.#waiting > MaxWaitingRunWrites) await done;
  }

  /** Every write added so far has ended (written or logged). */
  settled(): Promise<void> {
    return this.#tail;
  }
}
