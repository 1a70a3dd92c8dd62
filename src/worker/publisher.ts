import type { AgentEvent, AgentResult } from "../agents/events.js";
import type { Logger } from "../log.js";
import type { AgentRunPayload } from "./agent-run-payload.js";
import type { RunChanges } from "./run-changes.js";

/** What a publisher knows about the run it reports on. */
export interface RunInfo {
  jobId: string;
  threadKey: string;
  payload: AgentRunPayload;
  /** Provider actually used. */
  provider: string;
  /** Session being resumed (absent on a thread's first turn). */
  resumedSessionId?: string;
  startedAt: Date;
}

export interface RunFinishedExtra {
  cancelledBy?: string;
  changes?: RunChanges;
}

/** Where the pull request and CI jobs post in a thread (the Slack publisher). */
export interface ThreadPoster {
  postInThread(
    where: { channel: string; threadTs: string },
    message: { text: string; blocks: unknown[] },
    file?: { filename: string; content: string; comment: string },
  ): Promise<void>;
}

/**
 * Where a run's progress goes. The worker calls these in order: `runStarted`, any number of
 * `runEvent`, then exactly one of `runFinished` / `runInterrupted`. `runEvent` must return
 * quickly (coalesce, do not wait for rate limits); `runFinished` must not lose the answer.
 * Implementations: Slack (src/slack) and the logging publisher below.
 */
export interface RunPublisher {
  runStarted(run: RunInfo): Promise<void>;
  runEvent(run: RunInfo, event: AgentEvent): Promise<void>;
  /** `changes`: what a run in a project changed on its thread's branch (listed in the final message). */
  runFinished(run: RunInfo, result: AgentResult, extra: RunFinishedExtra): Promise<void>;
  /** The run's worker died or shut down; the session id is kept, the thread can continue. */
  runInterrupted(run: Omit<RunInfo, "startedAt"> & { startedAt?: Date }, reason: string): Promise<void>;
  /** Something the thread must hear during the run (e.g. the session was lost and a fresh one started). */
  runNotice?(run: RunInfo, text: string): Promise<void>;
  /** A queued job was cancelled before it started. */
  runCancelledBeforeStart?(run: Omit<RunInfo, "startedAt" | "provider">, by: string): Promise<void>;
}

/** Logs every run transition (the default until Slack is configured, and for the CLI). */
export class LoggingPublisher implements RunPublisher {
  constructor(private readonly log: Logger) {}

  async runStarted(run: RunInfo): Promise<void> {
    this.log.info({ jobId: run.jobId, threadKey: run.threadKey, provider: run.provider }, "run started");
  }

  async runEvent(run: RunInfo, event: AgentEvent): Promise<void> {
    if (event.type === "tool_use") this.log.info({ jobId: run.jobId, tool: event.tool }, event.summary);
    else if (event.type !== "text" && event.type !== "raw") this.log.debug({ jobId: run.jobId, event }, "agent event");
  }

  async runFinished(run: RunInfo, result: AgentResult, extra: RunFinishedExtra): Promise<void> {
    this.log.info(
      {
        jobId: run.jobId,
        outcome: result.outcome,
        costUsd: result.costUsd,
        durationMs: result.durationMs,
        cancelledBy: extra.cancelledBy,
        changedFiles: extra.changes?.kind === "changed" ? extra.changes.fileCount : undefined,
      },
      "run finished",
    );
  }

  async runNotice(run: RunInfo, text: string): Promise<void> {
    this.log.warn({ jobId: run.jobId, threadKey: run.threadKey }, text);
  }

  async runInterrupted(run: { jobId: string; threadKey: string }, reason: string): Promise<void> {
    this.log.warn({ jobId: run.jobId, threadKey: run.threadKey, reason }, "run interrupted");
  }
}
