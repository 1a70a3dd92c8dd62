import { CodethreadError, excerpt } from "../errors.js";

/** A claimed job has a kind no handler is registered for in this worker. */
export class ErrNoJobHandler extends CodethreadError {
  constructor(kind: string, jobId: string, known: readonly string[]) {
    super(
      "no_job_handler",
      `No handler for jobs of kind "${kind}" (job ${jobId}); this worker handles: ${known.join(", ") || "nothing"}.`,
      { kind, jobId, known: [...known] },
    );
  }
}

/** An agent_run job's payload does not match the schema. */
export class ErrInvalidRunPayload extends CodethreadError {
  constructor(jobId: string, reason: string) {
    super("invalid_run_payload", `The agent run job ${jobId} has an invalid payload: ${excerpt(reason, 500)}`, {
      jobId,
    });
  }
}

/** The agent's event stream ended without the `result` event its contract promises. */
export class ErrRunWithoutResult extends CodethreadError {
  constructor(provider: string, jobId: string) {
    super("run_without_result", `The ${provider} agent stopped without reporting a result (job ${jobId}).`, {
      provider,
      jobId,
    });
  }
}

/** The worker was created without what a default needs. */
export class ErrWorkerConfig extends CodethreadError {
  constructor(reason: string) {
    super("worker_config", `Cannot create the worker: ${reason}`);
  }
}
