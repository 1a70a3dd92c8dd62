import type { AgentResult } from "../agents/events.js";
import type { Logger } from "../log.js";
import type { RunChanges } from "../worker/run-changes.js";
import { planAnswer } from "./answer.js";
import { conversation, type Destination, type Route, sendPlan } from "./destination.js";
import { changesBlocks } from "./pr-messages.js";
import { type Requester, type RequesterDeps, tellRequester } from "./requester-notice.js";
import type { SlackApi } from "./slack-api.js";
import { slackErrorOf } from "./slack-failure.js";

export interface DeliveryReport {
  /** Where the answer went: its thread, or the fallback that reached the requester ("none": nobody). */
  route: Route;
  /** Slack's error when the thread refused. */
  reason?: string;
}

/**
 * Post a finished run's answer in its thread: one or a few messages, or a preview plus a file.
 * When the thread refuses for good (after retries per Slack's error kind), the requester gets the
 * answer by the best remaining route (requester-notice.ts). Never throws: the run's outcome is
 * recorded whatever Slack does.
 */
export async function deliverAnswer(
  api: SlackApi,
  log: Logger,
  where: { channel: string; threadTs: string },
  result: AgentResult,
  cancelledBy?: string,
  requester?: { who: Requester; deps: RequesterDeps },
  changes?: RunChanges,
): Promise<DeliveryReport> {
  const tail = changes ? changesBlocks(changes) : [];
  try {
    const dest = conversation(api, where.channel, where.threadTs);
    await sendPlan(dest, planAnswer(result, cancelledBy, { tail }), result.text);
    if (changes) await attachFullStat(dest, log, changes);
    return { route: "thread" };
  } catch (err) {
    const reason = slackErrorOf(err);
    log.warn({ err, channel: where.channel, slackError: reason }, "the answer could not be posted in its thread");
    if (!requester) return { route: "none", reason };
    const route = await tellRequester(requester.deps, requester.who, {
      what: "the answer",
      reason,
      plan: (canAttach) => planAnswer(result, cancelledBy, { canAttach, tail }),
      fullText: result.text,
    });
    return { route, reason };
  }
}

/** The whole `git diff --stat` as a file, when the message had to cut it. */
async function attachFullStat(dest: Destination, log: Logger, changes: RunChanges): Promise<void> {
  if (changes.kind !== "changed" || !changes.fullStat) return;
  await dest
    .upload?.({ filename: "changes.txt", content: changes.fullStat, comment: `The files changed on ${changes.branch}` })
    .catch((err: unknown) => log.warn({ err }, "the full list of changed files could not be attached"));
}

/**
 * What a run changed, as a message of its own under an answer that was streamed (a streamed
 * answer's last message is the stream's). Logged, never thrown.
 */
export async function deliverChanges(
  api: SlackApi,
  log: Logger,
  where: { channel: string; threadTs: string },
  changes: RunChanges,
): Promise<void> {
  const blocks = changesBlocks(changes);
  if (!blocks.length || changes.kind !== "changed") return;
  const dest = conversation(api, where.channel, where.threadTs);
  try {
    await dest.post({ text: `Changed on ${changes.branch}: ${changes.fileCount} file(s)`, blocks });
    await attachFullStat(dest, log, changes);
  } catch (err) {
    log.warn({ err, channel: where.channel, slackError: slackErrorOf(err) }, "the changed files could not be posted");
  }
}
