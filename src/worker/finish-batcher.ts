import type { Queryable } from "../store/database.js";
import { type Finish, finishJobs } from "../store/queue/finish.js";
import type { Job } from "../store/queue/types.js";

interface Waiting extends Finish {
  resolve: (job: Job | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Job outcomes of one event-loop turn written in one statement (`finishJobs`): with many short
 * jobs the worker's cost per job was one UPDATE round trip and commit; graphile-worker batches its
 * completions the same way. Each caller still gets its own answer — the finished job, or
 * undefined when the worker no longer held it — and a failed statement rejects every caller of
 * that batch, whose own retry (record-outcome.ts) then joins the next batch.
 *
 * Bound: at most `maxBatch` outcomes per statement (a worker has at most `concurrency` running
 * jobs, so a batch is never larger than that in practice); more wait for the next turn's
 * statement. Nothing waits longer than one turn plus the statement in flight before it: one
 * statement at a time, the next one gathering what came meanwhile.
 */
export class FinishBatcher {
  #waiting: Waiting[] = [];
  #flushing = false;

  constructor(
    private readonly db: Queryable,
    private readonly workerId: string,
    private readonly maxBatch = 64,
  ) {}

  finish(f: Finish): Promise<Job | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ ...f, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.maxBatch);
      try {
        const done = await finishJobs(this.db, this.workerId, batch);
        for (const w of batch) w.resolve(done.get(w.jobId));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.#flushing = false;
  }
}
