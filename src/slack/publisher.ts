import type { AgentEvent, AgentResult } from "../agents/events.js";
import type { Logger } from "../log.js";
import type { RunFinishedExtra, RunInfo, RunPublisher, ThreadPoster } from "../worker/publisher.js";
import { type AgentSessionRun, AgentSessions } from "./agent-session.js";
import { answerFooterBlocks } from "./answer.js";
import { type AnswerStream, AnswerStreams, type StreamingMode, type StreamOptions } from "./answer-stream.js";
import { Capabilities } from "./capabilities.js";
import { applyEvent, isCountOnly, newCardState, type RunCardState } from "./card-state.js";
import { type Clock, systemClock } from "./clock.js";
import { FinalDeliveries } from "./final-deliveries.js";
import {
  deliverFinished,
  deliverInterrupted,
  type FinalStateDeps,
  type FinishingRun,
  showFinalCard,
} from "./final-state.js";
import { truncate } from "./format.js";
import type { NativeSlackApi } from "./native-api.js";
import { askPermission, markTimedOut, type PermissionDeps, type PermissionEntry } from "./permission-requests.js";
import { DefaultProgressOptions, ProgressEditor, type ProgressEditorOptions } from "./progress-editor.js";
import { ProjectCards } from "./project-cards.js";
import type { Requester } from "./requester-notice.js";
import { type PostResponse, ResponseUrlLifetimeMs, responseUrlPoster } from "./response-url.js";
import { DefaultRetryPolicy, type RetryPolicy } from "./retry.js";
import { RetryingSlackApi } from "./retrying-api.js";
import { renderRunCard } from "./run-card.js";
import type { Block, SlackApi } from "./slack-api.js";

type RunRef = Omit<RunInfo, "startedAt" | "provider"> & { startedAt?: Date; provider?: string };

interface LiveRun {
  state: RunCardState;
  channel: string;
  teamId: string;
  threadTs: string;
  cardTs?: Promise<string | undefined>;
  /** Permission request id → its message ts and question. */
  permissions: Map<string, PermissionEntry>;
  /** When the thread's status line was last set (epoch ms). */
  statusAt?: number;
  /** Posts started by runEvent (permission requests); the final delivery waits for them so the thread reads in order. */
  pending: Promise<unknown>[];
  /** The first tool use has been put on the card (later ones are coalesced). */
  toolShown?: boolean;
  /** Titles of the tool steps shown as task updates in the stream, by tool use id. */
  taskTitles: Map<string, string>;
  requester: Requester;
  /** The thread's Slack agent session (native status and stop button), where the workspace offers it. */
  session: AgentSessionRun;
  /** Resolves once the session's `processing` call is done (the end waits for it). */
  sessionStarted?: Promise<void>;
  /** The streamed answer, where streaming is on and offered. */
  stream?: AnswerStream;
}

/** Slack's agent features: agent session status (the native stop button) and streamed answers. */
export interface NativeFeatures {
  api: NativeSlackApi;
  /** CODETHREAD_STREAMING (default `auto`). */
  streaming?: StreamingMode;
  streamOptions?: StreamOptions;
  /** Per-workspace cache of what Slack offers (default: a new one, re-checked hourly after a refusal). */
  capabilities?: Capabilities;
}

/** How long close() waits for final deliveries still retrying, unless told otherwise. */
export const DefaultCloseGraceMs = 10_000;

export interface SlackPublisherOptions {
  /** Client for progress and final card edits (not retrying: the editor merges and retries edits). */
  progress: SlackApi;
  /** Client for cards, answers, notices and buttons; the publisher retries its calls per Slack's error kind. */
  reliable: SlackApi;
  /** How answers, notices and final cards are retried (default DefaultRetryPolicy). */
  retry?: Partial<RetryPolicy>;
  /** How long close() waits for final deliveries still retrying (default 10 s). */
  closeGraceMs?: number;
  /** Posts to a slash command's response_url (default: over HTTP, see response-url.ts). */
  postResponse?: PostResponse;
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
  /** Absent: no agent session status and no streaming (the run card and a posted answer). */
  native?: NativeFeatures;
}

/**
 * RunPublisher for Slack: one live run card per run (coalesced edits under the workspace's
 * chat.update budget, the first tool use at once), permission requests as Approve/Deny messages
 * in the thread, and the answer as its own thread message at the end. No method waits for Slack:
 * a finished run's answer and final card are delivered in the background (FinalDeliveries),
 * retried per Slack's error kind; when the thread refuses for good, the requester is told by
 * response_url or DM, and the card says so.
 */
export class SlackPublisher implements RunPublisher, ThreadPoster {
  readonly #runs = new Map<string, LiveRun>();
  readonly #finals: FinalDeliveries;
  readonly editor: ProgressEditor;
  /** Provisioning and build cards: the same editor (rate budget) and background deliveries as run cards. */
  readonly projects: ProjectCards;
  readonly #clock: Clock;
  readonly #reliable: SlackApi;
  readonly #final: FinalStateDeps;
  readonly #permissionDeps: PermissionDeps;
  readonly #sessions: AgentSessions | undefined;
  readonly #streams: AnswerStreams | undefined;

  constructor(private readonly o: SlackPublisherOptions) {
    this.#clock = o.clock ?? systemClock;
    const retry = { ...DefaultRetryPolicy, ...o.retry };
    if (o.native) {
      const capabilities = o.native.capabilities ?? new Capabilities(this.#clock);
      this.#sessions = new AgentSessions(o.native.api, capabilities, this.#clock, o.log);
      this.#streams = new AnswerStreams(
        o.native.api,
        capabilities,
        this.#clock,
        o.log,
        o.native.streaming ?? "auto",
        o.native.streamOptions,
      );
    }
    this.#finals = new FinalDeliveries(o.log);
    const signal = this.#finals.signal;
    this.#reliable = new RetryingSlackApi(o.reliable, { log: o.log, policy: retry, signal });
    this.editor = new ProgressEditor(
      o.progress,
      this.#clock,
      o.log,
      o.progressOptions ?? DefaultProgressOptions,
      retry,
    );
    this.projects = new ProjectCards({
      reliable: this.#reliable,
      progress: o.progress,
      editor: this.editor,
      finals: this.#finals,
      log: o.log,
    });
    const requester = {
      api: this.#reliable,
      postResponse: o.postResponse ?? responseUrlPoster(),
      log: o.log,
      clock: this.#clock,
      retry,
      signal,
    };
    this.#permissionDeps = {
      api: this.#reliable,
      log: o.log,
      clock: this.#clock,
      timeoutMs: o.permissionTimeoutMs,
      wasAnswered: o.wasAnswered,
      onPermissionTimeout: o.onPermissionTimeout,
    };
    this.#final = {
      reliable: this.#reliable,
      progress: o.progress,
      editor: this.editor,
      requester,
      log: o.log,
      signal,
    };
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
        model: p.model,
        project: p.project,
        quiet: p.verbosity === "quiet",
      });
      // The response_url is valid for 30 minutes after the command, which came before the run started.
      const since = run.startedAt?.getTime() ?? this.#clock.now();
      live = {
        state,
        channel: p.channelId,
        teamId: p.teamId,
        threadTs: p.threadTs,
        permissions: new Map(),
        pending: [],
        taskTitles: new Map(),
        requester: {
          userId: p.userId,
          channel: p.channelId,
          responseUrl: p.responseUrl,
          responseUrlUntil: since + ResponseUrlLifetimeMs,
        },
        session: { teamId: p.teamId, channel: p.channelId, threadTs: p.threadTs, userId: p.userId, prompt: p.prompt },
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
      live.cardTs = this.#reliable
        .postMessage({ channel: live.channel, threadTs: live.threadTs, text, blocks })
        .then((r) => r.ts)
        .catch((err: unknown) => {
          this.o.log.error({ err, channel: live.channel }, "could not post the run card");
          return undefined;
        });
    }
    return live.cardTs;
  }

  /** Returns at once: a card the handler did not post is posted in the background. */
  async runStarted(run: RunInfo): Promise<void> {
    const live = this.#live(run);
    live.state.status = "running";
    live.state.provider = run.provider;
    live.state.startedAt = run.startedAt.getTime();
    if (this.#sessions && !live.sessionStarted) live.sessionStarted = this.#sessions.started(live.session);
    live.stream ??= this.#streams?.open({
      teamId: live.teamId,
      channel: live.channel,
      threadTs: live.threadTs,
      userId: live.requester.userId,
    });
    const hadCard = live.cardTs !== undefined;
    const card = this.#ensureCard(live);
    if (hadCard) void card.then((ts) => this.#touch(run.jobId, live, ts, true));
  }

  /** Mark the card changed (`urgent`: shown at once rather than at the card's next interval). */
  #touch(jobId: string, live: LiveRun, ts: string | undefined, urgent = false): void {
    if (!ts || this.#runs.get(jobId) !== live) return;
    this.editor.touch(jobId, { teamId: live.teamId, channel: live.channel, ts, render: this.#render(live) }, urgent);
  }

  async runEvent(run: RunInfo, event: AgentEvent): Promise<void> {
    const live = this.#live(run);
    if (event.type === "permission_request") {
      const entry = askPermission(this.#permissionDeps, run, live, event);
      live.permissions.set(event.id, entry);
      live.pending.push(entry.ts);
    }
    if (event.type === "permission_denied" && live.permissions.size) {
      live.pending.push(markTimedOut(this.#permissionDeps, run, live, event.id, event.reason));
    }
    if (event.type === "tool_use" && !live.state.quiet) this.#status(live, event.summary);
    this.#streamEvent(live, event);
    // A quiet card is edited for what changes its status (start, approvals, retries, errors, the
    // end), not for each tool: its counts and cost are current whenever it is edited.
    const note = live.state.note;
    if (!applyEvent(live.state, event)) return;
    if (live.state.quiet && isCountOnly(event) && live.state.note === note) return;
    // The leading edge: the run's first tool use is shown at once, later ones are coalesced.
    const urgent = event.type === "tool_use" && !live.toolShown;
    if (event.type === "tool_use") live.toolShown = true;
    // The card ts is known at once when the handler posted it; otherwise wait for our own post.
    void live.cardTs?.then((ts) => this.#touch(run.jobId, live, ts, urgent));
  }

  /** Text goes into the streamed answer as written; tool steps as task updates (verbose cards only). */
  #streamEvent(live: LiveRun, event: AgentEvent): void {
    const stream = live.stream;
    if (!stream) return;
    if (event.type === "text") stream.text(event.text);
    if (event.type === "tool_use") stream.toolRan();
    if (event.type === "tool_use" && !live.state.quiet) {
      stream.task({ type: "task_update", id: event.id, title: truncate(event.summary, 200), status: "in_progress" });
      live.taskTitles.set(event.id, truncate(event.summary, 200));
    }
    if (event.type === "tool_result") {
      const title = live.taskTitles.get(event.id);
      if (title !== undefined)
        stream.task({ type: "task_update", id: event.id, title, status: event.ok ? "complete" : "error" });
    }
  }

  /** The thread's agent session leaves `processing` (after the answer, so Slack's stop button lasts as long as the run). */
  async #endSession(live: LiveRun): Promise<void> {
    if (!this.#sessions || !live.sessionStarted) return;
    await live.sessionStarted;
    await this.#sessions.ended(live.session);
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

  #finishing(live: LiveRun): FinishingRun {
    return { ...live, card: () => this.#ensureCard(live), render: this.#render(live) };
  }

  /** A notice in the run's thread, ahead of its answer (the answer waits for it). */
  async runNotice(run: RunInfo, text: string): Promise<void> {
    const live = this.#live(run);
    const posted = this.#reliable
      .postMessage({ channel: live.channel, threadTs: live.threadTs, text, blocks: [] })
      .catch((err: unknown) => this.o.log.warn({ err, channel: live.channel }, "could not post a notice"));
    live.pending.push(posted);
  }

  /**
   * Hands the final state to the background and returns at once: the worker's slot is free while
   * the answer and the final card are delivered (in order per thread, retried per Slack's error kind).
   */
  async runFinished(run: RunInfo, result: AgentResult, extra: RunFinishedExtra): Promise<void> {
    const live = this.#live(run);
    const landed = this.#stopEditing(run.jobId);
    const s = live.state;
    s.status = result.outcome;
    s.finishedAt = (s.startedAt ?? this.#clock.now()) + result.durationMs;
    s.startedAt ??= s.finishedAt - result.durationMs;
    s.costUsd = result.costUsd;
    s.cancelledBy = result.outcome === "cancelled" ? extra.cancelledBy : undefined;
    s.note = result.outcome !== "succeeded" && result.error ? result.error : undefined;
    const finishing = this.#finishing(live);
    const stream = live.stream;
    const streamed = stream ? () => stream.finish(result.text, answerFooterBlocks(result, s.cancelledBy)) : undefined;
    this.#finals.add(run.threadKey, "answer", async () => {
      await deliverFinished(this.#final, finishing, result, extra.cancelledBy, landed, streamed, extra.changes);
      await this.#endSession(live);
    });
  }

  /**
   * A message in a thread from the pull request and CI jobs (retried per Slack's error kind),
   * behind the thread's answers still being delivered. Throws when Slack refused it for good.
   */
  async postInThread(
    where: { channel: string; threadTs: string },
    message: { text: string; blocks: unknown[] },
    file?: { filename: string; content: string; comment: string },
  ): Promise<void> {
    await this.#finals.idle();
    await this.#reliable.postMessage({
      channel: where.channel,
      threadTs: where.threadTs,
      text: message.text,
      blocks: message.blocks as Block[],
    });
    if (file) await this.#reliable.uploadFile({ channel: where.channel, threadTs: where.threadTs, ...file });
  }

  /** Returns at once; the notice and the final card follow in the background. */
  async runInterrupted(run: RunRef, reason: string): Promise<void> {
    const live = this.#live(run);
    const landed = this.#stopEditing(run.jobId);
    live.state.status = "interrupted";
    live.state.note = reason;
    if (run.startedAt) live.state.startedAt ??= run.startedAt.getTime();
    live.state.finishedAt = this.#clock.now();
    const text = `:warning: This run was interrupted: ${reason}. The session is kept — reply in this thread to continue.`;
    const finishing = this.#finishing(live);
    const stream = live.stream;
    this.#finals.add(run.threadKey, "interrupted notice", async () => {
      // What was streamed stays; the notice follows it.
      await stream?.finish("", []);
      await deliverInterrupted(this.#final, finishing, text, landed);
      await this.#endSession(live);
    });
  }

  async runCancelledBeforeStart(run: Omit<RunInfo, "startedAt" | "provider">, by: string): Promise<void> {
    const live = this.#live(run);
    const landed = this.#stopEditing(run.jobId);
    live.state.status = "cancelled";
    live.state.cancelledBy = by;
    live.state.note = "The run was cancelled before it started.";
    const finishing = this.#finishing(live);
    this.#finals.add(run.threadKey, "cancelled card", async () => {
      await landed;
      await showFinalCard(this.#final, finishing);
    });
  }

  /** No more progress edits of this run's card; resolves once an edit on the wire has landed. */
  #stopEditing(jobId: string): Promise<void> {
    const landed = this.editor.finish(jobId);
    this.#runs.delete(jobId);
    return landed;
  }

  /** Resolves when every final delivery started so far has finished. */
  async idle(): Promise<void> {
    await this.#finals.idle();
  }

  /** Shutdown: stop progress edits, then flush the final deliveries still running, for at most `closeGraceMs`. */
  async close(): Promise<void> {
    this.editor.stop();
    await this.#finals.close(this.o.closeGraceMs ?? DefaultCloseGraceMs);
  }
}
