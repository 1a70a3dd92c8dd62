import type { AgentEvent, AgentResult } from "../agents/events.js";
import type { Logger } from "../log.js";
import type { RunInfo, RunPublisher } from "../worker/publisher.js";
import { deliverAnswer } from "./answer-delivery.js";
import { applyEvent, newCardState, type RunCardState } from "./card-state.js";
import { type Clock, systemClock } from "./clock.js";
import { ErrSlackApi } from "./errors.js";
import { truncate } from "./format.js";
import { permissionQuestion, renderPermissionAnswered, renderPermissionRequest } from "./permission-message.js";
import { DefaultProgressOptions, ProgressEditor, type ProgressEditorOptions } from "./progress-editor.js";
import { renderRunCard } from "./run-card.js";
import type { SlackApi } from "./slack-api.js";

type RunRef = Omit<RunInfo, "startedAt" | "provider"> & { startedAt?: Date; provider?: string };

interface LiveRun {
  state: RunCardState;
  channel: string;
  teamId: string;
  threadTs: string;
  cardTs?: Promise<string | undefined>;
  /** Permission request id → its message ts and question. */
  permissions: Map<string, { ts: Promise<string | undefined>; question: string; askedAt: number }>;
  /** When the thread's status line was last set (epoch ms). */
  statusAt?: number;
  /** Posts started by runEvent (permission requests); runFinished waits for them so the thread reads in order. */
  pending: Promise<unknown>[];
}

export interface SlackPublisherOptions {
  /** Client for progress edits: 429s come back at once (merged into the next edit). */
  progress: SlackApi;
  /** Client for cards, answers, errors and buttons: retried until delivered. */
  reliable: SlackApi;
  log: Logger;
  clock?: Clock;
  progressOptions?: ProgressEditorOptions;
  /** How long permission requests wait (shown on the buttons' message). */
  permissionTimeoutMs?: number;
  /** Was this permission request answered by a person (any replica)? Used to tell a timeout from a denial. */
  wasAnswered?: (jobId: string, requestId: string) => Promise<boolean>;
  /**
   * Also show the latest tool use as the thread's status line (`assistant.threads.setStatus`,
   * "is working: Ran npm test…"), at most once per `statusIntervalMs` per run; Slack clears it when
   * the answer is posted. Off by default (extra calls; needs chat:write).
   */
  threadStatus?: boolean;
  statusIntervalMs?: number;
  /** Record that a request was denied because nobody answered. */
  onPermissionTimeout?: (run: RunInfo, requestId: string) => Promise<void>;
}

/**
 * RunPublisher for Slack: one live run card per run (coalesced edits under the workspace's
 * chat.update budget), permission requests as Approve/Deny messages in the thread, and the
 * answer as its own thread message at the end. Answers and errors go through the reliable client,
 * never behind progress edits.
 */
export class SlackPublisher implements RunPublisher {
  readonly #runs = new Map<string, LiveRun>();
  readonly #finals = new Set<Promise<void>>();
  readonly editor: ProgressEditor;
  readonly #clock: Clock;

  constructor(private readonly o: SlackPublisherOptions) {
    this.#clock = o.clock ?? systemClock;
    this.editor = new ProgressEditor(o.progress, this.#clock, o.log, o.progressOptions ?? DefaultProgressOptions);
  }

  #live(run: RunRef): LiveRun {
    let live = this.#runs.get(run.jobId);
    if (!live) {
      const p = run.payload;
      const state = newCardState({
        threadTs: p.threadTs,
        userId: p.userId,
        prompt: p.prompt,
        provider: run.provider ?? p.provider,
        project: p.project,
      });
      live = {
        state,
        channel: p.channelId,
        teamId: p.teamId,
        threadTs: p.threadTs,
        permissions: new Map(),
        pending: [],
      };
      if (p.cardTs) live.cardTs = Promise.resolve(p.cardTs);
      this.#runs.set(run.jobId, live);
    }
    return live;
  }

  #render(live: LiveRun) {
    return () => renderRunCard(live.state, this.#clock.now());
  }

  /** Post a card when the handler did not; returns its ts (undefined if Slack refused). */
  #ensureCard(live: LiveRun): Promise<string | undefined> {
    if (!live.cardTs) {
      const { text, blocks } = this.#render(live)();
      live.cardTs = this.o.reliable
        .postMessage({ channel: live.channel, threadTs: live.threadTs, text, blocks })
        .then((r) => r.ts)
        .catch((err: unknown) => {
          this.o.log.error({ err, channel: live.channel }, "could not post the run card");
          return undefined;
        });
    }
    return live.cardTs;
  }

  async runStarted(run: RunInfo): Promise<void> {
    const live = this.#live(run);
    live.state.status = "running";
    live.state.provider = run.provider;
    live.state.startedAt = run.startedAt.getTime();
    const hadCard = live.cardTs !== undefined;
    const ts = await this.#ensureCard(live);
    if (ts && hadCard) {
      this.editor.touch(
        run.jobId,
        { teamId: live.teamId, channel: live.channel, ts, render: this.#render(live) },
        true,
      );
    }
  }

  async runEvent(run: RunInfo, event: AgentEvent): Promise<void> {
    const live = this.#live(run);
    if (event.type === "permission_request") {
      const ask = {
        jobId: run.jobId,
        requestId: event.id,
        userId: run.payload.userId,
        tool: event.tool,
        summary: event.summary,
        timeoutMs: this.o.permissionTimeoutMs,
      };
      const msg = renderPermissionRequest(ask);
      const ts = this.o.reliable
        .postMessage({ channel: live.channel, threadTs: live.threadTs, ...msg })
        .then((r) => r.ts)
        .catch((err: unknown) => {
          this.o.log.error({ err, jobId: run.jobId }, "could not post a permission request");
          return undefined;
        });
      live.permissions.set(event.id, { ts, question: permissionQuestion(ask), askedAt: this.#clock.now() });
      live.pending.push(ts);
    }
    if (event.type === "permission_denied" && live.permissions.size) {
      live.pending.push(this.#maybeTimedOut(run, live, event.id, event.reason));
    }
    if (event.type === "tool_use") this.#status(live, event.summary);
    if (!applyEvent(live.state, event)) return;
    const cardTs = live.cardTs;
    if (!cardTs) return;
    // The card ts is known at once when the handler posted it; otherwise wait for our own post.
    void cardTs.then((ts) => {
      if (ts && this.#runs.get(run.jobId) === live) {
        this.editor.touch(run.jobId, { teamId: live.teamId, channel: live.channel, ts, render: this.#render(live) });
      }
    });
  }

  #status(live: LiveRun, summary: string): void {
    if (!this.o.threadStatus) return;
    const now = this.#clock.now();
    if (live.statusAt !== undefined && now - live.statusAt < (this.o.statusIntervalMs ?? 10_000)) return;
    live.statusAt = now;
    const status = truncate(`is working: ${summary}…`, 100);
    this.o.progress.setStatus({ channel: live.channel, threadTs: live.threadTs, status }).catch((err: unknown) => {
      this.o.log.debug({ err }, "thread status not set");
    });
  }

  /**
   * A denial arrived. Providers report it under the tool-use id, not the request id, so find the
   * oldest request nobody answered (per the audit log, any replica): that one was denied by the
   * provider's timeout, and its message in the thread says so.
   */
  async #maybeTimedOut(
    run: RunInfo,
    live: LiveRun,
    eventId: string | undefined,
    reason: string | undefined,
  ): Promise<void> {
    const ids = eventId && live.permissions.has(eventId) ? [eventId] : [...live.permissions.keys()];
    for (const requestId of ids) {
      const entry = live.permissions.get(requestId);
      if (!entry) continue;
      const timeout = this.o.permissionTimeoutMs;
      if (timeout && this.#clock.now() - entry.askedAt < timeout * 0.9 && ids.length > 1) continue;
      live.permissions.delete(requestId);
      const answered = await (this.o.wasAnswered?.(run.jobId, requestId) ?? Promise.resolve(false)).catch(() => false);
      if (answered) continue;
      const ts = await entry.ts;
      const msg = renderPermissionAnswered(entry.question, { allow: false, timedOut: true, reason });
      if (ts)
        await this.#safe("permission timeout", () => this.o.reliable.update({ channel: live.channel, ts, ...msg }));
      await this.o
        .onPermissionTimeout?.(run, requestId)
        .catch((err: unknown) => this.o.log.warn({ err }, "audit failed"));
      return;
    }
  }

  async runFinished(run: RunInfo, result: AgentResult, extra: { cancelledBy?: string }): Promise<void> {
    const live = this.#live(run);
    await Promise.allSettled(live.pending);
    const s = live.state;
    s.status = result.outcome;
    s.finishedAt = (s.startedAt ?? this.#clock.now()) + result.durationMs;
    s.startedAt ??= s.finishedAt - result.durationMs;
    s.costUsd = result.costUsd;
    s.cancelledBy = result.outcome === "cancelled" ? extra.cancelledBy : undefined;
    s.note = result.outcome !== "succeeded" && result.error ? result.error : undefined;
    await deliverAnswer(
      this.o.reliable,
      this.o.log,
      { channel: live.channel, threadTs: live.threadTs },
      result,
      extra.cancelledBy,
    );
    await this.#finishCard(run.jobId, live);
  }

  async runInterrupted(run: RunRef, reason: string): Promise<void> {
    const live = this.#live(run);
    await Promise.allSettled(live.pending);
    live.state.status = "interrupted";
    live.state.note = reason;
    if (run.startedAt) live.state.startedAt ??= run.startedAt.getTime();
    live.state.finishedAt = this.#clock.now();
    const text = `:warning: This run was interrupted: ${reason}. The session is kept — reply in this thread to continue.`;
    await this.#safe("interrupted notice", () =>
      this.o.reliable.postMessage({ channel: live.channel, threadTs: live.threadTs, text }),
    );
    await this.#finishCard(run.jobId, live);
  }

  async runCancelledBeforeStart(run: Omit<RunInfo, "startedAt" | "provider">, by: string): Promise<void> {
    const live = this.#live(run);
    live.state.status = "cancelled";
    live.state.cancelledBy = by;
    live.state.note = "The run was cancelled before it started.";
    await this.#finishCard(run.jobId, live);
  }

  /**
   * Show the final state on the card. Resolves once the last progress edit has landed; the final
   * edit itself waits for the workspace's budget in the background (tracked, awaited by `idle()`
   * and `close()`), so a busy workspace never holds a worker slot.
   */
  async #finishCard(jobId: string, live: LiveRun): Promise<void> {
    await this.editor.finish(jobId);
    this.#runs.delete(jobId);
    const final = (async () => {
      const ts = await this.#ensureCard(live);
      if (!ts) return;
      await this.editor.reserve(live.teamId);
      await this.#safe("final card", () =>
        this.o.reliable.update({ channel: live.channel, ts, ...this.#render(live)() }),
      );
    })();
    this.#finals.add(final);
    void final.finally(() => this.#finals.delete(final));
  }

  /** Resolves when every final card edit started so far has been sent. */
  async idle(): Promise<void> {
    while (this.#finals.size) await Promise.allSettled([...this.#finals]);
  }

  /** Run a reliable call; log a failure (the reliable client has already retried) instead of failing the run. */
  async #safe(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const slackError = err instanceof ErrSlackApi ? err.slackError : undefined;
      this.o.log.error({ err, what, slackError }, "Slack delivery failed");
    }
  }

  /** Shutdown: stop progress edits, then send the final cards still waiting for budget. */
  async close(): Promise<void> {
    this.editor.stop();
    await this.idle();
  }
}
