import type { AgentResult } from "../agents/events.js";
import type { ProviderRegistry } from "../agents/registry.js";
import type { AgentRequest } from "../agents/request.js";
import { messageOf } from "../errors.js";
import type { Logger } from "../log.js";
import { skippedText } from "../slack/attachments.js";
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
import { type DownloadFile, promptWithAttachments, saveAttachments } from "./attachments.js";
import { driveAgent } from "./drive-agent.js";
import type { JobContext, JobHandler, JobOutcome } from "./handler.js";
import type { RunInfo, RunPublisher } from "./publisher.js";
import type { BuildRequest, ResolveWorkspace } from "./request-defaults.js";
import { auditRunFinish, auditSessionReset, auditToolUse } from "./run-audit.js";
import type { PrepareThreadProject, RunChanges } from "./run-changes.js";
import { failedResult, outcomeOf, parsePayload, sessionLostResult } from "./run-results.js";
import { RunWrites } from "./run-writes.js";
import { keepSession, restoreSession } from "./session-sync.js";

/** Told in the thread when the agent no longer has the session the thread had. */
export const FreshSessionNotice =
  ":warning: I could not resume the earlier session; starting fresh — earlier context is lost.";

export interface AgentRunDeps {
  /** Should retry through short outages (the worker passes a `retryingDatabase`): every statement here is safe to repeat. */
  db: Database;
  registry: ProviderRegistry;
  publisher: RunPublisher;
  log: Logger;
  resolveWorkspace: ResolveWorkspace;
  buildRequest: BuildRequest;
  /** A run in a project works in its thread's worktree (src/ci/thread-projects.ts); absent: `resolveWorkspace` decides. */
  prepareThreadProject?: PrepareThreadProject;
  /** Fetches files shared with a request (the bot token); absent: shared files are reported not passed on. */
  attachments?: { download: DownloadFile; maxBytes: number };
}

/** How far a run got with its thread: the handler's last resort tells it whatever is missing. */
interface Told {
  info: RunInfo;
  started: boolean;
  finished: boolean;
}

/**
 * The `agent_run` handler: one agent turn in its thread's session, reported to the publisher.
 * Whatever happens — the database unreachable past the retry budget included — the thread hears
 * an end: an answer, a failure, or (from the worker) an interruption.
 */
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
  /** An audit record that cannot be written is logged; it never fails a run. */
  const audit = (entry: Parameters<typeof recordAudit>[1]) =>
    recordAudit(db, entry).catch((err: unknown) =>
      log.error({ action: entry.action, err: messageOf(err) }, "could not write an audit record"),
    );

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
    // The thread keeps the project it started with (an agent session belongs to one directory).
    const threadRun = await deps.prepareThreadProject?.({
      project: session.project ?? payload.project,
      threadKey: session.threadKey,
      userId: payload.userId,
      prompt: payload.prompt,
    });
    const workspace = threadRun?.workspace ?? (await deps.resolveWorkspace(session, payload));
    const request = deps.buildRequest({ jobId: job.id, payload, session, workspace, provider: session.provider });
    return { session, agent, request, threadRun };
  }

  /** The prompt naming the request's shared files, stored in its workspace; the thread hears of any left out. */
  async function withFiles(payload: AgentRunPayload, request: AgentRequest, info: RunInfo): Promise<string> {
    const files = payload.files ?? [];
    const outcome = deps.attachments
      ? await saveAttachments(deps.attachments.download, request.workspace, files, {
          maxBytes: deps.attachments.maxBytes,
          prefix: (payload.messageTs ?? info.jobId).replace(/[^\w]/g, "_"),
          log,
        })
      : { saved: [], failed: files.map((f) => ({ name: f.name, reason: "this worker cannot fetch Slack files" })) };
    if (outcome.failed.length)
      await publish("runNotice", info.jobId, async () => publisher.runNotice?.(info, skippedText(outcome.failed)));
    return promptWithAttachments(request.prompt, outcome.saved);
  }

  /** Tell the thread the run ended with `result`, as far as it was not told yet. */
  async function finish(told: Told, result: AgentResult, cancelledBy?: string, changes?: RunChanges): Promise<void> {
    const { info } = told;
    if (!told.started) await publish("runStarted", info.jobId, () => publisher.runStarted(info));
    told.started = true;
    if (!told.finished)
      await publish("runFinished", info.jobId, () =>
        publisher.runFinished(info, result, {
          ...(cancelledBy ? { cancelledBy } : {}),
          ...(changes ? { changes } : {}),
        }),
      );
    told.finished = true;
  }

  async function turn(ctx: JobContext, payload: AgentRunPayload, told: Told): Promise<JobOutcome> {
    const { job } = ctx;
    let prepared: Awaited<ReturnType<typeof prepare>>;
    try {
      prepared = await prepare(job, payload);
    } catch (err) {
      // The run could not start (unknown provider, no workspace): the thread still hears why.
      const result = failedResult(err, "run_setup_failed");
      await finish(told, result);
      await audit({
        actor: payload.userId,
        action: "run.finish",
        threadKey: job.threadKey,
        detail: { jobId: job.id, requester: payload.userId, outcome: "failed", errorCode: result.errorCode },
      });
      return { status: "failed", error: result.error ?? "the run could not start" };
    }
    const { session, agent, threadRun } = prepared;
    let request = prepared.request;
    const key = session.threadKey;
    told.info = { ...told.info, provider: session.provider, resumedSessionId: session.sessionId ?? undefined };
    if (session.sessionId) await restoreSession(db, agent, session.sessionId, request.workspace, log);
    await audit({
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
    await publish("runStarted", job.id, () => publisher.runStarted(told.info));
    told.started = true;

    if (payload.files?.length) request = { ...request, prompt: await withFiles(payload, request, told.info) };

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
    // The session id (kept as soon as it is known) and the tool-use audit are written behind the
    // run, in order: Slack sees progress at once even while the database is away. If it stays away
    // past the retry budget the id is written with the outcome below.
    const writes = new RunWrites(log, job.id);
    const drive = (req: typeof request) =>
      driveAgent(agent, req, ctx.signal, async (event) => {
        if (event.type === "session_started") {
          sessionOpened = true;
          const id = event.sessionId;
          await writes.add("the session id yet", () => setThreadSessionId(db, key, id));
        }
        if (event.type === "tool_use") await writes.add("a tool use", () => auditToolUse(db, log, told.info, event));
        await publish("runEvent", job.id, () => publisher.runEvent(told.info, event));
      });
    // Stopped while the run was being prepared: the agent is not started at all.
    let result: AgentResult = ctx.signal.aborted
      ? { outcome: "cancelled", text: "", durationMs: 0, sessionId: session.sessionId ?? undefined }
      : await drive(request);
    // The session is on no replica and not in the database (expired, too large to store, an OpenCode
    // server of another replica): start a fresh one, and say so. Only when it was refused at the
    // start — a session lost mid-turn is not run again.
    if (result.errorCode === "session_not_found" && request.sessionId && !sessionOpened && !ctx.signal.aborted) {
      log.warn({ jobId: job.id, sessionId: request.sessionId }, "session lost; starting a fresh one");
      await writes.settled();
      await clearThreadSessionId(db, key);
      await auditSessionReset(db, told.info, request.sessionId).catch((err: unknown) =>
        log.error({ jobId: job.id, err: messageOf(err) }, "could not record the session reset"),
      );
      await publish("runNotice", job.id, async () => publisher.runNotice?.(told.info, FreshSessionNotice));
      told.info = { ...told.info, resumedSessionId: undefined };
      result = await drive({ ...request, sessionId: undefined });
    }
    ctx.signal.removeEventListener("abort", onAbort);
    if (result.errorCode === "session_not_found")
      result = sessionLostResult(result, session.provider, session.sessionId ?? undefined);

    const stop = ctx.stopReason();
    // Shutdown or lost lease: the worker (or the reaper) reports the interruption.
    const interrupted = stop !== undefined && stop.kind !== "cancel" && result.outcome !== "succeeded";
    const cancelledBy = stop?.kind === "cancel" ? stop.by : undefined;
    // What the run changed on the thread's branch (the final message lists it); never fails the run.
    const changes = interrupted
      ? undefined
      : await threadRun?.after().catch((err: unknown) => {
          log.warn({ jobId: job.id, err: messageOf(err) }, "could not describe the run's changes");
          return undefined;
        });
    // The answer first: Slack does not need the database, and the writes below may wait for it.
    if (!interrupted) await finish(told, result, cancelledBy, changes);

    // The outcome stands whatever happens to this bookkeeping; a session id that cannot be written
    // means the next reply cannot resume, and that run says so. After the run's own writes, so an
    // older one never lands last.
    await writes.settled();
    try {
      if (result.errorCode === "session_not_found") await clearThreadSessionId(db, key);
      else if (result.sessionId) {
        await setThreadSessionId(db, key, result.sessionId);
        await keepSession(db, agent, result.sessionId, request.workspace, log);
      }
    } catch (err) {
      log.error({ jobId: job.id, err: messageOf(err) }, "could not record the thread's session after the run");
    }
    if (interrupted)
      return {
        status: "interrupted",
        error: stop.kind === "shutdown" ? "the worker shut down" : "the worker lost its lease",
      };
    await auditRunFinish(db, { ...told.info, threadKey: key }, result, cancelledBy).catch((err: unknown) =>
      log.error({ jobId: job.id, err: messageOf(err) }, "could not write the run.finish audit record"),
    );
    return outcomeOf(result, cancelledBy);
  }

  async function run(ctx: JobContext): Promise<JobOutcome> {
    const { job } = ctx;
    const payload = parsePayload(job);
    const told: Told = {
      info: {
        jobId: job.id,
        threadKey: job.threadKey,
        payload,
        provider: payload.provider ?? "unknown",
        startedAt: job.startedAt ?? new Date(),
      },
      started: false,
      finished: false,
    };
    try {
      return await turn(ctx, payload, told);
    } catch (err) {
      // E.g. the database stayed unreachable past the retry budget: the run is over, and its thread
      // must not be left with a live card and no word.
      log.error({ jobId: job.id, err: messageOf(err) }, "agent run failed");
      await finish(told, failedResult(err, "run_failed"));
      return { status: "failed", error: messageOf(err) };
    }
  }

  async function interrupted(job: Job, reason: string): Promise<void> {
    const parsed = AgentRunPayload.safeParse(job.payload);
    if (!parsed.success) {
      log.warn({ jobId: job.id, reason }, "interrupted agent run has an invalid payload; nobody to tell");
      return;
    }
    const payload = parsed.data;
    const session = await getThreadSession(db, threadKey(payload)).catch((err: unknown) => {
      log.warn({ jobId: job.id, err: messageOf(err) }, "could not read the session of an interrupted run");
      return undefined;
    });
    await audit({
      actor: "system",
      action: "run.interrupted",
      threadKey: job.threadKey,
      detail: { jobId: job.id, reason, error: job.error },
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
