import type { AgentResult } from "../agents/events.js";
import type { Logger } from "../log.js";
import type { RunChanges } from "../worker/run-changes.js";
import { deliverAnswer, deliverChanges } from "./answer-delivery.js";
import type { RunCardState } from "./card-state.js";
import { conversation, type Route, sendPlan } from "./destination.js";
import type { ProgressEditor } from "./progress-editor.js";
import { type Requester, type RequesterDeps, tellRequester } from "./requester-notice.js";
import type { Block, SlackApi } from "./slack-api.js";
import { slackErrorOf } from "./slack-failure.js";

/** A run whose end is being delivered (the publisher's live run, seen from here). */
export interface FinishingRun {
  state: RunCardState;
  channel: string;
  teamId: string;
  threadTs: string;
  requester: Requester;
  /** Posts the thread must show before the end (permission requests). */
  pending: Promise<unknown>[];
  /** The card's ts (undefined: Slack refused the card). */
  card(): Promise<string | undefined>;
  render(): { text: string; blocks: Block[] };
}

export interface FinalStateDeps {
  /** Retrying client for answers and notices. */
  reliable: SlackApi;
  /** Non-retrying client for the card edit (the editor retries it under the workspace budget). */
  progress: SlackApi;
  editor: ProgressEditor;
  requester: RequesterDeps;
  log: Logger;
  /** Aborted at shutdown past the grace period: retries stop. */
  signal: AbortSignal;
}

/**
 * A finished run, in the background: its answer in the thread (or to the requester by
 * response_url / DM when the thread refuses, which the card then says), then its final card once
 * the last progress edit (`landed`) is off the wire.
 */
export async function deliverFinished(
  deps: FinalStateDeps,
  run: FinishingRun,
  result: AgentResult,
  cancelledBy: string | undefined,
  landed: Promise<void>,
  streamed?: () => Promise<boolean>,
  changes?: RunChanges,
): Promise<void> {
  await Promise.allSettled(run.pending);
  // A streamed answer is in its thread already once the stream is stopped with its footer; what
  // the run changed (and Open pull request) follows it as a message of its own.
  if (streamed && (await streamed())) {
    if (changes)
      await deliverChanges(deps.reliable, deps.log, { channel: run.channel, threadTs: run.threadTs }, changes);
    await landed;
    return showFinalCard(deps, run);
  }
  const report = await deliverAnswer(
    deps.reliable,
    deps.log,
    { channel: run.channel, threadTs: run.threadTs },
    result,
    cancelledBy,
    { who: run.requester, deps: deps.requester },
    changes,
  );
  if (report.route !== "thread") noteFallback(run, "The answer", report.route, report.reason);
  await landed;
  await showFinalCard(deps, run);
}

/** An interrupted run: a notice in the thread (or to the requester), then the final card. */
export async function deliverInterrupted(
  deps: FinalStateDeps,
  run: FinishingRun,
  text: string,
  landed: Promise<void>,
): Promise<void> {
  await Promise.allSettled(run.pending);
  const plan = { kind: "messages" as const, parts: [{ text, blocks: [] }] };
  try {
    await sendPlan(conversation(deps.reliable, run.channel, run.threadTs), plan, text);
  } catch (err) {
    const reason = slackErrorOf(err);
    deps.log.warn({ err, channel: run.channel, slackError: reason }, "the interrupted notice was refused");
    const route = await tellRequester(deps.requester, run.requester, {
      what: "a notice",
      reason,
      plan: () => plan,
      fullText: text,
    });
    noteFallback(run, "The notice", route, reason);
  }
  await landed;
  await showFinalCard(deps, run);
}

/** The card says where a message went when its thread refused it. */
function noteFallback(run: FinishingRun, what: string, route: Route, reason: string | undefined): void {
  // Plain words: the card renders its note as escaped text (the card's head already names who asked).
  const where =
    route === "response_url"
      ? "so it was shown privately to the person who asked"
      : route === "dm"
        ? "so it was sent to the person who asked as a direct message"
        : "and could not reach the person who asked another way either";
  const line = `${what} could not be posted in this thread (Slack said \`${reason ?? "unknown"}\`), ${where}.`;
  run.state.note = run.state.note ? `${run.state.note}\n${line}` : line;
}

/**
 * Show the final state on the card: a budget token ahead of progress edits (from the reserve
 * they leave), then the edit, retried per Slack's error kind. Logged, never thrown.
 */
export async function showFinalCard(deps: FinalStateDeps, run: FinishingRun): Promise<void> {
  const ts = await run.card();
  if (!ts) return;
  try {
    await deps.editor.finalEdit(
      run.teamId,
      () => deps.progress.update({ channel: run.channel, ts, ...run.render() }),
      deps.signal,
    );
  } catch (err) {
    deps.log.error(
      { err, channel: run.channel, ts, slackError: slackErrorOf(err) },
      "the run card could not show its final state",
    );
  }
}
