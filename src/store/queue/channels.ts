/**
 * NOTIFY channels of the queue. Payloads carry ids only (PostgreSQL rejects payloads of
 * 8000 bytes or more): bodies stay in the tables.
 */

/** A job was enqueued or a thread's running job finished: idle workers should try to claim. */
export const JobsChannel = "codethread_jobs";

/** A control message (cancel, permission answer) was stored for a job. Payload: `controlId:jobId`. */
export const ControlChannel = "codethread_job_control";

export function controlPayload(controlId: number, jobId: string): string {
  return `${controlId}:${jobId}`;
}

export function parseControlPayload(payload: string): { controlId: number; jobId: string } | undefined {
  const m = /^(\d+):(.+)$/.exec(payload);
  return m ? { controlId: Number(m[1]), jobId: m[2]! } : undefined;
}
