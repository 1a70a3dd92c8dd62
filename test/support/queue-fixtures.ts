import type { AgentEvent, AgentResult } from "../../src/agents/events.js";
import type { Database } from "../../src/store/database.js";
import type { Job, JobStatus } from "../../src/store/queue/types.js";
import type { AgentRunPayload } from "../../src/worker/agent-run-payload.js";
import type { RunInfo, RunPublisher } from "../../src/worker/publisher.js";
import type { BuildRequest } from "../../src/worker/request-defaults.js";
import type { Script } from "./test-agent.js";

/** An agent_run payload for thread `n` of team T1 / channel C1, running `script`. */
export function runPayload(
  thread: number,
  script: Script | string = {},
  extra: Partial<AgentRunPayload> = {},
): AgentRunPayload {
  return {
    teamId: "T1",
    channelId: "C1",
    threadTs: `1700000000.${String(thread).padStart(6, "0")}`,
    userId: "U1",
    prompt: typeof script === "string" ? script : JSON.stringify(script),
    source: "mention",
    ...extra,
  };
}

/** The worker's request for a test run: the payload's prompt, the thread's session resumed, `timeoutMs`. */
export const testRunRequest =
  (timeoutMs = 60_000): BuildRequest =>
  ({ jobId, payload, session, workspace, provider }) => ({
    runId: jobId,
    prompt: payload.prompt,
    provider,
    sessionId: session.sessionId ?? undefined,
    workspace,
    timeoutMs,
  });

export function runThreadKey(thread: number): string {
  return `T1:C1:1700000000.${String(thread).padStart(6, "0")}`;
}

export type Published =
  | { what: "started"; jobId: string; resumedSessionId?: string }
  | { what: "event"; jobId: string; event: AgentEvent }
  | { what: "finished"; jobId: string; result: AgentResult; cancelledBy?: string }
  | { what: "interrupted"; jobId: string; reason: string }
  | { what: "notice"; jobId: string; text: string };

/** Remembers every publisher call, in order. */
export class RecordingPublisher implements RunPublisher {
  readonly calls: Published[] = [];

  async runStarted(run: RunInfo): Promise<void> {
    this.calls.push({ what: "started", jobId: run.jobId, resumedSessionId: run.resumedSessionId });
  }
  async runEvent(run: RunInfo, event: AgentEvent): Promise<void> {
    this.calls.push({ what: "event", jobId: run.jobId, event });
  }
  async runFinished(run: RunInfo, result: AgentResult, extra: { cancelledBy?: string }): Promise<void> {
    this.calls.push({ what: "finished", jobId: run.jobId, result, cancelledBy: extra.cancelledBy });
  }
  async runNotice(run: RunInfo, text: string): Promise<void> {
    this.calls.push({ what: "notice", jobId: run.jobId, text });
  }
  async runInterrupted(run: { jobId: string }, reason: string): Promise<void> {
    this.calls.push({ what: "interrupted", jobId: run.jobId, reason });
  }

  of(jobId: string): Published[] {
    return this.calls.filter((c) => c.jobId === jobId);
  }
}

/** Poll a job until its status is one of `statuses` (generous limit; no timing assertion). */
export async function waitForStatus(
  get: (id: string) => Promise<Job | undefined>,
  jobId: string,
  statuses: readonly JobStatus[],
  timeoutMs = 30_000,
): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await get(jobId);
    if (job && statuses.includes(job.status)) return job;
    if (Date.now() > until)
      throw new Error(`job ${jobId} is ${job?.status ?? "missing"}, waited for ${statuses.join("|")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Poll until `check` returns true. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function countByStatus(db: Database): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM jobs GROUP BY status",
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
