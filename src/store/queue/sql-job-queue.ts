import type { PermissionDecision } from "../../agents/port.js";
import type { Database } from "../database.js";
import { cancelJob } from "./cancel.js";
import { sendControl } from "./controls.js";
import { enqueueJob } from "./enqueue.js";
import { getJob, listActiveJobs } from "./read.js";
import type { CancelResult, EnqueueInput, EnqueueResult, Job, JobQueue } from "./types.js";

/** The queue on the `Database` interface: the same SQL on PostgreSQL and PGlite. */
export class SqlJobQueue implements JobQueue {
  constructor(readonly db: Database) {}

  enqueue<P>(input: EnqueueInput<P>): Promise<EnqueueResult<P>> {
    return enqueueJob(this.db, input);
  }

  get(jobId: string): Promise<Job | undefined> {
    return getJob(this.db, jobId);
  }

  cancel(jobId: string, by: string): Promise<CancelResult> {
    return cancelJob(this.db, jobId, by);
  }

  listActive(filter?: { threadKey?: string; limit?: number }): Promise<Job[]> {
    return listActiveJobs(this.db, filter);
  }

  answerPermission(jobId: string, requestId: string, decision: PermissionDecision, by: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ status: string }>("SELECT status FROM jobs WHERE id = $1 FOR SHARE", [jobId]);
      if (rows[0]?.status !== "running") return false;
      await sendControl(tx, { type: "permission", jobId, requestId, decision, by });
      return true;
    });
  }
}

export function createJobQueue(db: Database): JobQueue {
  return new SqlJobQueue(db);
}
