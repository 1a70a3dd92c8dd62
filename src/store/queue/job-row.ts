import type { Job, JobKind, JobStatus } from "./types.js";

/** A `jobs` row as both adapters return it (timestamptz → Date, jsonb → object, int8 → number). */
export interface JobRow extends Record<string, unknown> {
  id: string;
  seq: number;
  kind: JobKind;
  thread_key: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  dedupe_key: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  holder: string | null;
  lease_until: Date | null;
  cancel_requested_by: string | null;
  error: string | null;
}

/** The columns a Job is read from (qualified by `alias`, for UPDATE … FROM and joins). */
export function jobColumns(alias = "jobs"): string {
  return [
    "id",
    "seq",
    "kind",
    "thread_key",
    "payload",
    "status",
    "attempts",
    "dedupe_key",
    "created_at",
    "started_at",
    "finished_at",
    "holder",
    "lease_until",
    "cancel_requested_by",
    "error",
  ]
    .map((c) => `${alias}.${c}`)
    .join(", ");
}

export function jobFromRow<P = unknown>(r: JobRow): Job<P> {
  return {
    id: r.id,
    kind: r.kind,
    threadKey: r.thread_key,
    payload: r.payload as P,
    status: r.status,
    attempts: r.attempts,
    dedupeKey: r.dedupe_key,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    holder: r.holder,
    leaseUntil: r.lease_until,
    cancelRequestedBy: r.cancel_requested_by,
    error: r.error,
  };
}
