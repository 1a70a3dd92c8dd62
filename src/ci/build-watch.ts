import { sleep } from "../sleep.js";
import { truncate } from "../text.js";
import { type CIProvider, type CiPipeline, TerminalStatuses } from "./ci-provider.js";
import type { Redactor } from "./redact.js";

export interface WatchOptions {
  /** Give up after this long (the pipeline keeps running in the CI). */
  deadlineMs: number;
  /** First wait between status polls; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export type WatchResult =
  | { kind: "finished"; pipeline: CiPipeline }
  /** Still not finished at the deadline (no agent, a long build, waiting for approval). */
  | { kind: "deadline"; pipeline: CiPipeline }
  | { kind: "aborted"; pipeline: CiPipeline };

/** Poll a pipeline's status with back-off (2 s, 4 s, … 30 s by default) until it ends or the deadline passes. */
export async function watchPipeline(
  ci: CIProvider,
  repoId: number,
  number: number,
  options: WatchOptions,
): Promise<WatchResult> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.deadlineMs;
  let delay = options.initialDelayMs ?? 2_000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  for (;;) {
    const pipeline = await ci.pipeline(repoId, number);
    if (TerminalStatuses.has(pipeline.status)) return { kind: "finished", pipeline };
    if (options.signal?.aborted) return { kind: "aborted", pipeline };
    const left = deadline - now();
    if (left <= 0) return { kind: "deadline", pipeline };
    await sleep(Math.min(delay, left), options.signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}

/** Lines of a failing step's log shown to people: the last ones, each bounded. */
export const LogTailLines = 20;
const LogLineChars = 300;

/** The first failed step and the last lines of its log, secrets removed; undefined if no step failed. */
export async function failingStepTail(
  ci: CIProvider,
  repoId: number,
  pipeline: CiPipeline,
  redactor: Redactor,
): Promise<{ step: string; workflow: string; lines: string[] } | undefined> {
  const failed = pipeline.steps.find((s) => ["failure", "error", "killed"].includes(s.state));
  if (!failed) return undefined;
  const log = await ci.stepLogs(repoId, pipeline.number, failed.id);
  return {
    step: failed.name,
    workflow: failed.workflow,
    lines: log.slice(-LogTailLines).map((l) => truncate(redactor.redact(l), LogLineChars)),
  };
}
