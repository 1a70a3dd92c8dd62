import type { PermissionDecision } from "../../agents/port.js";

/**
 * Contract of the durable work queue (src/store/queue). Implemented once, on the
 * `Database` interface, so it runs on PostgreSQL (many replicas) and PGlite (one process).
 */
export type JobKind = "agent_run" | "provision" | "build" | "pull_request" | "ci_watch";
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "interrupted";
export const FinishedStatuses: readonly JobStatus[] = ["succeeded", "failed", "cancelled", "interrupted"];

export interface Job<P = unknown> {
  id: string;
  kind: JobKind;
  /** Serialization key: never two running jobs with the same key. A Slack thread key for runs. */
  threadKey: string;
  payload: P;
  status: JobStatus;
  attempts: number;
  /** Idempotency key (e.g. Slack event id); a second enqueue with it returns the first job. */
  dedupeKey: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Worker id holding the lease while running. */
  holder: string | null;
  leaseUntil: Date | null;
  cancelRequestedBy: string | null;
  /** Short outcome text for failed/interrupted jobs. */
  error: string | null;
}

export interface EnqueueInput<P = unknown> {
  kind: JobKind;
  threadKey: string;
  payload: P;
  dedupeKey?: string;
}

export interface EnqueueResult<P = unknown> {
  job: Job<P>;
  /** False when the dedupe key matched an existing job (nothing new was queued). */
  created: boolean;
  /** Jobs of the same thread queued or running ahead of this one (0: it runs next). */
  ahead: number;
}

export type CancelResult =
  /** It was queued and is now cancelled; it will never run. */
  | { kind: "removed_from_queue"; job: Job }
  /** It is running; the holder was told and will abort it. */
  | { kind: "cancel_requested"; job: Job }
  /** It had already finished; nothing to do. */
  | { kind: "already_finished"; job: Job }
  | { kind: "not_found" };

/** Messages from any replica to the replica running a job. */
export type ControlMessage =
  | { type: "cancel"; jobId: string; by: string }
  | { type: "permission"; jobId: string; requestId: string; decision: PermissionDecision; by: string };

export interface JobQueue {
  enqueue<P>(input: EnqueueInput<P>): Promise<EnqueueResult<P>>;
  get(jobId: string): Promise<Job | undefined>;
  /** Cancel a job by id, from any replica. */
  cancel(jobId: string, by: string): Promise<CancelResult>;
  /** Queued and running jobs, oldest first (for `/agent status`). */
  listActive(filter?: { threadKey?: string; limit?: number }): Promise<Job[]>;
  /** Deliver a permission answer to whichever replica runs the job. False: the job is not running. */
  answerPermission(jobId: string, requestId: string, decision: PermissionDecision, by: string): Promise<boolean>;
}
