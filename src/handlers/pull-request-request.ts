import { PullRequestPayload } from "../ci/pr/payloads.js";
import { messageOf } from "../errors.js";
import { recordAudit } from "../store/audit.js";
import { type ThreadRef, threadKey } from "../store/thread-key.js";
import { getThreadSession } from "../store/thread-sessions.js";
import { mayControl } from "./authorize.js";
import type { HandlerDeps } from "./deps.js";

/**
 * **Open pull request**, `/agent pr` and `@codethread pr` in a thread: a durable `pull_request`
 * job in the thread's queue (after any run still going there). The delivery's key makes a retried
 * delivery the same job; a second click is a second job, which finds the pull request and reuses
 * it. Returns what to tell the person (only them).
 */
export async function requestPullRequest(
  deps: HandlerDeps,
  input: ThreadRef & { userId: string; source: "button" | "command"; dedupeKey?: string },
): Promise<string> {
  const key = threadKey(input);
  const session = await getThreadSession(deps.db, key);
  if (!session?.project) {
    return "This thread has no project: pull requests come from runs in a channel bound to a project (`/agent project use NAME`).";
  }
  if (!mayControl(deps.access, input.userId, session.ownerUserId)) {
    await recordAudit(deps.db, {
      actor: input.userId,
      action: "access.denied",
      threadKey: key,
      detail: { what: "pull_request" },
    });
    return `Only <@${session.ownerUserId}> (who started this thread) or an admin can open its pull request.`;
  }
  const userName = await deps.users?.nameOf(input.userId).catch(() => undefined);
  const payload = PullRequestPayload.parse({
    teamId: input.teamId,
    channelId: input.channelId,
    threadTs: input.threadTs,
    userId: input.userId,
    userName,
    project: session.project,
    source: input.source,
  });
  try {
    const { created } = await deps.queue.enqueue({
      kind: "pull_request",
      threadKey: key,
      payload,
      dedupeKey: input.dedupeKey,
    });
    return created
      ? "Committing and pushing this thread's branch; the pull request's link will be posted here."
      : "Already on it: the pull request's link will be posted here.";
  } catch (err) {
    deps.log.error({ err: messageOf(err), threadKey: key }, "could not queue the pull request");
    return "The pull request could not be queued. Please try again in a minute.";
  }
}
