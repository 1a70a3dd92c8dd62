import type { PermissionDecision } from "../agents/port.js";
import type { Logger } from "../log.js";
import type { Job } from "../store/queue/types.js";

/** Why a running job was told to stop. */
export type StopReason =
  | { kind: "cancel"; by: string }
  /** The worker is shutting down and the grace period is over. */
  | { kind: "shutdown" }
  /** The worker lost the job's lease (it was reaped as interrupted): stop, record nothing. */
  | { kind: "lease_lost" };

export type PermissionListener = (requestId: string, decision: PermissionDecision, by: string) => Promise<void>;

export interface JobContext {
  job: Job;
  workerId: string;
  /** Aborted when the job must stop; `stopReason()` says why. */
  signal: AbortSignal;
  stopReason(): StopReason | undefined;
  /** Receive permission answers sent to this job from any replica. */
  onPermission(listener: PermissionListener): void;
  log: Logger;
}

export type JobOutcome =
  | { status: "succeeded" }
  | { status: "failed"; error: string }
  | { status: "cancelled"; by?: string }
  /** The job did not finish because of a shutdown or a lost lease. */
  | { status: "interrupted"; error: string };

/** Runs the jobs of one kind. Registered per kind in `createWorker({ handlers })`. */
export interface JobHandler {
  run(ctx: JobContext): Promise<JobOutcome>;
  /**
   * The job will not finish: its worker died (its lease expired and a reaper marked it) or
   * shut down. Tell whoever waits for it. Must not throw for a malformed job.
   */
  interrupted?(job: Job, reason: string): Promise<void>;
}
