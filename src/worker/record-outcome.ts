import { messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import type { Database } from "../store/database.js";
import { type FinalStatus, type Finish, finishJob } from "../store/queue/finish.js";
import { getJob } from "../store/queue/read.js";
import type { Job } from "../store/queue/types.js";
import { type RetryPolicy, retryTransient } from "../store/retry.js";

export type Recorded =
  | { kind: "recorded"; job: Job }
  /** The worker no longer held it: its lease expired and a reaper reported it. */
  | { kind: "not_held" }
  /** The database stayed unreachable for the whole retry budget. */
  | { kind: "unreachable"; error: string };

/**
 * Write a job's outcome, retrying through a database outage. A retry after a lost answer finds
 * the row already finished by its own first attempt (holder and status match): that counts as
 * recorded. When the budget runs out the job stays `running`; once the database is back its
 * lease runs out and a reaper reports it interrupted, so it never stays running for good.
 */
export async function recordOutcome(
  db: Database,
  job: Job,
  workerId: string,
  status: FinalStatus,
  error: string | undefined,
  policy: RetryPolicy & { log: Logger },
  /** How the outcome is written (the worker batches them: finish-batcher.ts). Default: one `finishJob`. */
  finish: (f: Finish) => Promise<Job | undefined> = (f) => finishJob(db, f.jobId, workerId, f.status, f.error),
): Promise<Recorded> {
  let attempts = 0;
  try {
    const finished = await retryTransient(
      "record a job outcome",
      () => {
        attempts++;
        return finish({ jobId: job.id, status, error });
      },
      policy,
    );
    if (finished) return { kind: "recorded", job: finished };
    if (attempts > 1) {
      const now = await getJob(db, job.id);
      if (now && now.status === status && now.holder === workerId && now.error === (error ?? null))
        return { kind: "recorded", job: now };
    }
    return { kind: "not_held" };
  } catch (err) {
    return { kind: "unreachable", error: messageOf(err) };
  }
}
