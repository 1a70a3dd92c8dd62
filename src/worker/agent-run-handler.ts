import type { AgentResult } from "../agents/events.js";
import type { ProviderRegistry } from "../agents/registry.js";
import { CodethreadError, messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import { recordAudit } from "../store/audit.js";
import type { Database } from "../store/database.js";
import type { Job } from "../store/queue/types.js";
import { threadKey } from "../store/thread-key.js";
import {
  clearThreadSessionId,
  ensureThreadSession,
  getThreadSession,
  setThreadSessionId,
} from "../store/thread-sessions.js";
import { AgentRunPayload } from "./agent-run-payload.js";
import { driveAgent } from "./drive-agent.js";
import { ErrInvalidRunPayload } from "./errors.js";
import type { JobContext, JobHandler, JobOutcome } from "./handler.js";
import type { RunInfo, RunPublisher } from "./publisher.js";
import type { BuildRequest, ResolveWorkspace } from "./request-defaults.js";
import { auditRunFinish, auditSessionReset, auditToolUse } from "./run-audit.js";

/** Told in the thread when the agent no longer has the session the thread had. */
export const FreshSessionNotice =
  ":warning: I could not resume the earlier session; starting fresh — earlier context is lost.";

export interface AgentRunDeps {
  db: Database;
  registry: ProviderRegistry;
  publisher: RunPublisher;
  log: Logger;
  resolveWorkspace: ResolveWorkspace;
  buildRequest: BuildRequest;
}

function parsePayload(job: Job): AgentRunPayload {
  const parsed = AgentRunPayload.safeParse(job.payload);
  if (!parsed.success) {
    throw new ErrInvalidRunPayload(
      job.id,
      parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}

function outcomeOf(result: AgentResult, cancelledBy: string | undefined): JobOutcome {
  switch (result.outcome) {
    case "succeeded":
      return { status: "succeeded" };
    case "cancelled":
      return { status: "cancelled", by: cancelledBy };
    case "timed_out":
      return { status: "failed", error: result.error ?? "the run timed out" };
    case "failed":
      return { status: "failed", error: result.error ?? "the agent failed" };
    case "budget_exceeded":
      return { status: "failed", error: result.error ?? "the run reached its cost budget" };
  }
}

/** The `agent_run` handler: one agent turn in its thread's session, reported to the publisher. */
export function agentRunHandler(deps: AgentRunDeps): JobHandler {
  const { db, registry, publisher, log } = deps;

  /** A publisher failure (Slack down) must not fail the run or lose the outcome record. */
  const publish = async (what: string, jobId: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      log.warn({ jobId, err: messageOf(err) }, `publisher ${what} failed`);
    }
  };

  /** The thread's session, its agent and the request; throws a CodethreadError a user can read. */
  async function prepare(job: Job, payload: AgentRunPayload) {
    const session = await ensureThreadSession(db, {
      teamId: payload.teamId,
      channelId: payload.channelId,
      threadTs: payload.threadTs,
      // An alias (`agent=cc`) is stored as the id it stands for; an unknown name fails below.
      provider:
        payload.provider === undefined
          ? registry.default().id
          : (registry.resolve(payload.provider) ?? payload.provider),
      project: payload.project ?? null,
      ownerUserId: payload.userId,
    });
    const agent = registry.get(session.provider);
    const workspace = await deps.resolveWorkspace(session, payload);
    const request = deps.buildRequest({ jobId: job.id, payload, session, workspace, provider: session.provider });
    return { session, agent, request };
  }

  /** The run could not start (unknown provider, no workspace): the thread still hears why. */
  async function failBeforeStart(job: Job, payload: AgentRunPayload, err: unknown): Promise<JobOutcome> {
    const info: RunInfo = {
      jobId: job.id,
      threadKey: job.threadKey,
      payload,
      provider: payload.provider ?? "unknown",
      startedAt: job.startedAt ?? new Date(),
    };
    const result: AgentResult = {
      outcome: "failed",
      text: "",
      durationMs: 0,
      error: messageOf(err),
      errorCode: err instanceof CodethreadError ? err.code : "run_setup_failed",
    };
    await publish("runStarted", job.id, () => publisher.runStarted(info));
    await publish("runFinished", job.id, () => publisher.runFinished(info, result, {}));
    await recordAudit(db, {
      actor: payload.userId,
      action: "run.finish",
      threadKey: job.threadKey,
      detail: { jobId: job.id, requester: payload.userId, outcome: "failed", errorCode: result.errorCode },
    });
    return { status: "failed", error: result.error ?? "the run could not start" };
  }

  async function run(ctx: JobContext): Promise<JobOutcome> {
    const { job } = ctx;
    const payload = parsePayload(job);
    let prepared: Awaited<ReturnType<typeof prepare>>;
    try {
      prepared = await prepare(job, payload);
    } catch (err) {
      return failBeforeStart(job, payload, err);
    }
    const { session, agent, request } = prepared;
    const key = session.threadKey;
    const info: RunInfo = {
      jobId: job.id,
      threadKey: job.threadKey,
      payload,
      provider: session.provider,
      resumedSessionId: session.sessionId ?? undefined,
      startedAt: job.startedAt ?? new Date(),
    };
    await recordAudit(db, {
      actor: payload.userId,
      action: "run.start",
      threadKey: key,
      detail: {
        jobId: job.id,
        requester: payload.userId,
        provider: session.provider,
        model: payload.model,
        resumed: Boolean(session.sessionId),
        source: payload.source,
      },
    });
    await publish("runStarted", job.id, () => publisher.runStarted(info));

    ctx.onPermission(async (requestId, decision) => {
      const waiting = await agent.respondToPermission(job.id, requestId, decision);
      if (!waiting) log.info({ jobId: job.id, requestId }, "permission answer arrived for nothing waiting");
    });
    const onAbort = () => {
      agent
        .cancel(job.id)
        .catch((err: unknown) => log.warn({ jobId: job.id, err: messageOf(err) }, "agent cancel failed"));
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });

    let sessionOpened = false;
    const drive = (req: typeof request) =>
      driveAgent(agent, req, ctx.signal, async (event) => {
        if (event.type === "session_started") {
          sessionOpened = true;
          await setThreadSessionId(db, key, event.sessionId);
        }
        if (event.type === "tool_use") await auditToolUse(db, log, info, event);
        await publish("runEvent", job.id, () => publisher.runEvent(info, event));
      });
    // Stopped while the run was being prepared: the agent is not started at all.
    let result: AgentResult = ctx.signal.aborted
      ? { outcome: "cancelled", text: "", durationMs: 0, sessionId: session.sessionId ?? undefined }
      : await drive(request);
    // The agent no longer has the thread's session (expired, other machine): start a fresh one, and say
    // so. Only when it was refused at the start — a session lost mid-turn is not run again.
    if (result.errorCode === "session_not_found" && request.sessionId && !sessionOpened && !ctx.signal.aborted) {
      log.warn({ jobId: job.id, sessionId: request.sessionId }, "session lost; starting a fresh one");
      await clearThreadSessionId(db, key);
      await auditSessionReset(db, info, request.sessionId);
      await publish("runNotice", job.id, async () => publisher.runNotice?.(info, FreshSessionNotice));
      result = await drive({ ...request, sessionId: undefined });
    }
    ctx.signal.removeEventListener("abort", onAbort);

    if (result.errorCode === "session_not_found") await clearThreadSessionId(db, key);
    else if (result.sessionId) await setThreadSessionId(db, key, result.sessionId);

    const stop = ctx.stopReason();
    if (stop && stop.kind !== "cancel" && result.outcome !== "succeeded") {
      // Shutdown or lost lease: the worker (or the reaper) reports the interruption.
      return {
        status: "interrupted",
        error: stop.kind === "shutdown" ? "the worker shut down" : "the worker lost its lease",
      };
    }
    const cancelledBy = stop?.kind === "cancel" ? stop.by : undefined;
    await publish("runFinished", job.id, () => publisher.runFinished(info, result, cancelledBy ? { cancelledBy } : {}));
    await auditRunFinish(db, { ...info, threadKey: key }, result, cancelledBy);
    return outcomeOf(result, cancelledBy);
  }

  async function interrupted(job: Job, reason: string): Promise<void> {
    const parsed = AgentRunPayload.safeParse(job.payload);
    if (!parsed.success) {
      log.warn({ jobId: job.id, reason }, "interrupted agent run has an invalid payload; nobody to tell");
      return;
    }
    const payload = parsed.data;
    const session = await getThreadSession(db, threadKey(payload));
    await recordAudit(db, {
      actor: "system",
      action: "run.interrupted",
      threadKey: job.threadKey,
      detail: { jobId: job.id, reason },
    });
    await publish("runInterrupted", job.id, () =>
      publisher.runInterrupted(
        {
          jobId: job.id,
          threadKey: job.threadKey,
          payload,
          provider: session?.provider ?? payload.provider ?? "unknown",
          resumedSessionId: session?.sessionId ?? undefined,
          startedAt: job.startedAt ?? undefined,
        },
        reason,
      ),
    );
  }

  return { run, interrupted };
}
