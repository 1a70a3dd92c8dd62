import type { AgentEvent } from "../agents/events.js";
import type { Logger } from "../log.js";
import type { RunInfo } from "../worker/publisher.js";
import type { Clock } from "./clock.js";
import { permissionQuestion, renderPermissionAnswered, renderPermissionRequest } from "./permission-message.js";
import type { SlackApi } from "./slack-api.js";
import { slackErrorOf } from "./slack-failure.js";

/** A permission request's message in the thread. */
export interface PermissionEntry {
  ts: Promise<string | undefined>;
  question: string;
  askedAt: number;
}

export interface PermissionDeps {
  /** Retrying client. */
  api: SlackApi;
  log: Logger;
  clock: Clock;
  /** How long requests wait (shown on the buttons' message). */
  timeoutMs?: number;
  /** Was this request answered by a person (any replica)? Tells a timeout from a denial. */
  wasAnswered?: (jobId: string, requestId: string) => Promise<boolean>;
  onPermissionTimeout?: (run: RunInfo, requestId: string) => Promise<void>;
}

interface Thread {
  channel: string;
  threadTs: string;
  permissions: Map<string, PermissionEntry>;
}

/** Post Approve/Deny for a permission request in the run's thread (in the background). */
export function askPermission(
  deps: PermissionDeps,
  run: RunInfo,
  thread: Thread,
  event: Extract<AgentEvent, { type: "permission_request" }>,
): PermissionEntry {
  const ask = {
    jobId: run.jobId,
    requestId: event.id,
    userId: run.payload.userId,
    tool: event.tool,
    summary: event.summary,
    timeoutMs: deps.timeoutMs,
  };
  const ts = deps.api
    .postMessage({ channel: thread.channel, threadTs: thread.threadTs, ...renderPermissionRequest(ask) })
    .then((r) => r.ts)
    .catch((err: unknown) => {
      deps.log.error({ err, jobId: run.jobId, slackError: slackErrorOf(err) }, "could not post a permission request");
      return undefined;
    });
  return { ts, question: permissionQuestion(ask), askedAt: deps.clock.now() };
}

/**
 * A denial arrived. Providers report it under the tool-use id, not the request id, so find the
 * oldest request nobody answered (per the audit log, any replica): that one was denied by the
 * provider's timeout, and its message in the thread says so.
 */
export async function markTimedOut(
  deps: PermissionDeps,
  run: RunInfo,
  thread: Thread,
  eventId: string | undefined,
  reason: string | undefined,
): Promise<void> {
  const ids = eventId && thread.permissions.has(eventId) ? [eventId] : [...thread.permissions.keys()];
  for (const requestId of ids) {
    const entry = thread.permissions.get(requestId);
    if (!entry) continue;
    const timeout = deps.timeoutMs;
    if (timeout && deps.clock.now() - entry.askedAt < timeout * 0.9 && ids.length > 1) continue;
    thread.permissions.delete(requestId);
    const answered = await (deps.wasAnswered?.(run.jobId, requestId) ?? Promise.resolve(false)).catch(() => false);
    if (answered) continue;
    const ts = await entry.ts;
    const msg = renderPermissionAnswered(entry.question, { allow: false, timedOut: true, reason });
    if (ts) {
      await deps.api.update({ channel: thread.channel, ts, ...msg }).catch((err: unknown) => {
        deps.log.error({ err, slackError: slackErrorOf(err) }, "could not mark a permission request timed out");
      });
    }
    await deps.onPermissionTimeout?.(run, requestId).catch((err: unknown) => deps.log.warn({ err }, "audit failed"));
    return;
  }
}
