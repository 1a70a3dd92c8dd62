import type { Logger } from "../log.js";
import { AnswerChunkChars } from "./answer.js";
import type { Capabilities } from "./capabilities.js";
import type { Clock } from "./clock.js";
import type { NativeSlackApi, StreamChunk } from "./native-api.js";
import { PerWorkspace, RateBudget } from "./rate-budget.js";
import type { Block } from "./slack-api.js";
import { classifySlackFailure } from "./slack-failure.js";

/** CODETHREAD_STREAMING: `auto` streams where the workspace offers it, `on` always tries, `off` never. */
export type StreamingMode = "auto" | "on" | "off";

export interface StreamOptions {
  /** Least time between two appends of one stream (appends carry everything written since the last). */
  appendIntervalMs: number;
  /** chat.appendStream budget per workspace (Tier 4, ~100/min): `appendsPerMinute + appendBurst` stays under it. */
  appendsPerMinute: number;
  appendBurst: number;
  /** chat.startStream / stopStream budget per workspace (Tier 2, ~20/min each). */
  startsPerMinute: number;
  startBurst: number;
}

export const DefaultStreamOptions: StreamOptions = {
  appendIntervalMs: 1_000,
  appendsPerMinute: 80,
  appendBurst: 10,
  startsPerMinute: 16,
  startBurst: 4,
};

/** Transient append failures in a row after which a stream is given up (the answer is posted instead). */
const MaxAppendFailures = 3;

interface Budgets {
  start: RateBudget;
  append: RateBudget;
  stop: RateBudget;
}

export interface StreamTarget {
  teamId: string;
  channel: string;
  threadTs: string;
  userId: string;
}

/**
 * Streamed answers (chat.startStream / appendStream / stopStream): one stream per run, opened at
 * the run's first text, appended as the agent writes — coalesced, at most one append per
 * `appendIntervalMs` and within the workspace's append budget, one call on the wire at a time so
 * the message reads in order — and stopped with the answer's footer. Where the workspace does not
 * offer streaming (capabilities.ts), or the budget for a new stream is spent, no stream opens and
 * the answer is posted as before.
 */
export class AnswerStreams {
  readonly #budgets = new PerWorkspace<Budgets>(() => {
    const o = this.options;
    return {
      start: new RateBudget(o.startsPerMinute, o.startBurst, this.clock),
      append: new RateBudget(o.appendsPerMinute, o.appendBurst, this.clock),
      stop: new RateBudget(o.startsPerMinute, o.startBurst, this.clock),
    };
  });

  constructor(
    readonly api: NativeSlackApi,
    readonly capabilities: Capabilities,
    readonly clock: Clock,
    readonly log: Logger,
    readonly mode: StreamingMode,
    readonly options: StreamOptions = DefaultStreamOptions,
  ) {}

  budgets(teamId: string): Budgets {
    return this.#budgets.of(teamId);
  }

  /** A stream for this run, or undefined when its answer is to be posted (streaming off or not offered here). */
  open(target: StreamTarget): AnswerStream | undefined {
    if (this.mode === "off") return undefined;
    if (this.mode === "auto" && !this.capabilities.usable(target.teamId, "streaming")) return undefined;
    return new AnswerStream(this, target);
  }
}

type State = "idle" | "starting" | "live" | "declined" | "broken" | "stopped";

export class AnswerStream {
  #state: State = "idle";
  #ts: string | undefined;
  /** Text written and not yet sent. */
  #text = "";
  /** Task updates not yet sent, latest per task. */
  readonly #tasks = new Map<string, Extract<StreamChunk, { type: "task_update" }>>();
  /** Everything sent so far (to tell whether the final answer is in the message already). */
  #sent = "";
  #lastSentAt = 0;
  #failures = 0;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  /** A tool ran since the last text: the next text starts a new paragraph. */
  #paragraph = false;
  /**
   * An append is queued or on the wire. The next one is taken only after it answered: text taken while
   * it is out would be sent before a failed append's text is put back (the message out of order, and
   * `#sent` reset without it, so `finish` appended the whole answer a second time).
   */
  #appending = false;
  /** `finish` has begun: it sends what is left itself, no timer may take text from under it. */
  #finishing = false;

  constructor(
    private readonly s: AnswerStreams,
    private readonly target: StreamTarget,
  ) {}

  /** The stream has been opened and is still usable. */
  get live(): boolean {
    return this.#state === "live" || this.#state === "starting";
  }

  /** Text as the agent writes it. The first text opens the stream (if a start token is there). */
  text(text: string): void {
    if (!text || this.#closed()) return;
    const sep = this.#paragraph && (this.#sent || this.#text) ? "\n\n" : "";
    this.#paragraph = false;
    this.#text += sep + text;
    if (this.#state === "idle") this.#start();
    else this.#schedule();
  }

  /** A tool ran: the next text starts a new paragraph. */
  toolRan(): void {
    this.#paragraph = true;
  }

  /**
   * A tool step, shown as a task update once the stream is open. It rides along with the next
   * text append (or the stop) and never makes a call of its own: no Slack call per tool use.
   */
  task(chunk: Extract<StreamChunk, { type: "task_update" }>): void {
    if (this.#closed()) return;
    // Before the stream opens they wait for it: its first call shows the steps so far.
    this.#tasks.set(chunk.id, chunk);
  }

  #closed(): boolean {
    return this.#state === "declined" || this.#state === "broken" || this.#state === "stopped";
  }

  #start(): void {
    const { teamId } = this.target;
    if (!this.s.budgets(teamId).start.tryTake()) {
      this.#state = "declined";
      return;
    }
    this.#state = "starting";
    const chunks = this.#take();
    this.#enqueue(async () => {
      try {
        const r = await this.s.api.startStream({
          channel: this.target.channel,
          threadTs: this.target.threadTs,
          recipientUserId: this.target.userId,
          recipientTeamId: teamId,
          chunks,
        });
        this.#ts = r.ts;
        this.#state = "live";
        this.#lastSentAt = this.s.clock.now();
        this.s.capabilities.worked(teamId, "streaming");
        this.#schedule();
      } catch (err) {
        this.#state = "declined";
        const refused = this.s.capabilities.failed(teamId, "streaming", err);
        if (!refused)
          this.s.log.debug({ err, channel: this.target.channel }, "could not open a stream; posting instead");
      }
    });
  }

  /** Pending text (at most one call's worth) and task updates, as chunks; removed from the pending. */
  #take(maxChars = AnswerChunkChars): StreamChunk[] {
    const chunks: StreamChunk[] = [...this.#tasks.values()];
    this.#tasks.clear();
    if (this.#text) {
      const text = this.#text.slice(0, maxChars);
      this.#text = this.#text.slice(text.length);
      this.#sent += text;
      chunks.unshift({ type: "markdown_text", text });
    }
    return chunks;
  }

  /** Text waiting to be sent (task updates alone do not make an append). */
  #pending(): boolean {
    return this.#text.length > 0;
  }

  #enqueue(fn: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(fn);
    return this.#chain;
  }

  #schedule(): void {
    if (this.#state !== "live" || this.#finishing || this.#appending || this.#timer || !this.#pending()) return;
    const budget = this.s.budgets(this.target.teamId).append;
    const due = Math.max(this.#lastSentAt + this.s.options.appendIntervalMs - this.s.clock.now(), budget.waitMs(), 0);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#flush();
      },
      Math.max(due, 1),
    );
    this.#timer.unref();
  }

  #flush(): void {
    if (this.#state !== "live" || this.#finishing || this.#appending || !this.#pending()) return;
    if (!this.s.budgets(this.target.teamId).append.tryTake()) {
      this.#schedule();
      return;
    }
    const sentBefore = this.#sent;
    const chunks = this.#take();
    const taken = chunks.flatMap((c) => (c.type === "markdown_text" ? [c.text] : [])).join("");
    this.#lastSentAt = this.s.clock.now();
    this.#appending = true;
    void this.#enqueue(async () => {
      try {
        await this.s.api.appendStream({ channel: this.target.channel, ts: this.#ts!, chunks });
        this.#failures = 0;
      } catch (err) {
        const f = classifySlackFailure(err);
        if (f.kind === "rate_limited") this.s.budgets(this.target.teamId).append.pause(f.retryAfterMs);
        const again = (f.kind === "rate_limited" || f.kind === "transient") && ++this.#failures < MaxAppendFailures;
        if (again) {
          // Put it back in front of what came since, so the message still reads in order.
          this.#text = taken + this.#text;
          this.#sent = sentBefore;
          for (const c of chunks) if (c.type === "task_update" && !this.#tasks.has(c.id)) this.#tasks.set(c.id, c);
        } else {
          this.#state = "broken";
          this.s.log.debug({ err, slackError: f.error }, "the stream broke; the answer will be posted instead");
        }
      } finally {
        this.#appending = false;
        this.#schedule();
      }
    });
  }

  /**
   * The run ended: send what is left, the answer too if it never came as text, and stop the stream
   * with `blocks` (the footer). True when the answer is in the streamed message; false when it must
   * be posted (no stream opened, or the stream broke).
   */
  async finish(answer: string, blocks: Block[]): Promise<boolean> {
    this.#finishing = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain;
    if (this.#state !== "live") {
      if (this.#state !== "idle") this.#state = "stopped";
      return false;
    }
    const wanted = answer.trim();
    if (wanted && !(this.#sent + this.#text).includes(wanted)) {
      this.#text += (this.#sent || this.#text ? "\n\n" : "") + wanted;
    }
    const { channel } = this.target;
    try {
      // What does not fit one call goes as appends first (order kept: one call at a time).
      while (this.#text.length > AnswerChunkChars) {
        this.s.budgets(this.target.teamId).append.force();
        await this.s.api.appendStream({ channel, ts: this.#ts!, chunks: this.#take() });
      }
    } catch (err) {
      this.#state = "broken";
      this.s.log.warn(
        { err, channel, slackError: classifySlackFailure(err).error },
        "could not finish the streamed answer; posting it",
      );
      return false;
    }
    // Everything before the stop reached Slack. When the answer is already in the message, a failed
    // stop must not make the caller post it a second time: the stop is tried once more without text,
    // and the message keeps the answer either way (only its footer can be missing).
    const answerInMessage = !wanted || this.#sent.includes(wanted);
    const last = this.#take();
    this.s.budgets(this.target.teamId).stop.force();
    try {
      await this.s.api.stopStream({ channel, ts: this.#ts!, chunks: last, blocks });
      this.#state = "stopped";
      return true;
    } catch (err) {
      const carriedText = last.some((c) => c.type === "markdown_text");
      if (!answerInMessage || carriedText) {
        this.#state = "broken";
        this.s.log.warn(
          { err, channel, slackError: classifySlackFailure(err).error },
          "could not finish the streamed answer; posting it",
        );
        return false;
      }
      try {
        await this.s.api.stopStream({ channel, ts: this.#ts!, blocks });
      } catch (again) {
        this.s.log.warn(
          { err: again, channel, slackError: classifySlackFailure(again).error },
          "could not close the streamed answer; it is complete in the thread, its footer is missing",
        );
      }
      this.#state = "stopped";
      return true;
    }
  }
}
