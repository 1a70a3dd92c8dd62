import { CodethreadError, messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import { overBudget } from "../budget.js";
import { ErrSessionNotFound } from "../errors.js";
import type { AgentEvent, AgentResult } from "../events.js";
import type { PermissionDecision } from "../port.js";
import type { AgentRequest, PermissionPolicy } from "../request.js";
import { oneLine } from "../tool-summary.js";
import { Approvals } from "./approvals.js";
import { type OpenCodeClient, promptModel } from "./client.js";
import { ErrOpenCodeHttp, ErrServerStopped, ErrWorkspaceUnsupported } from "./errors.js";
import { EventStream, type StreamItem } from "./event-stream.js";
import type { OpenCodeOptions } from "./options.js";
import { rulesForPolicy } from "./permissions.js";
import { EventQueue } from "./queue.js";
import { failureResult, outcomeOf } from "./result.js";
import type { MessageError } from "./schemas.js";
import { Signal } from "./signal.js";
import { Translator } from "./translate.js";

export const DefaultAbortGraceMs = 10_000;
/** A cancelled run whose loop never starts a step is aborted after this long anyway. */
const AbortFallbackMs = 15_000;

export interface RunDeps {
  /** The server to use (starting the embedded one if needed). */
  connect(): Promise<OpenCodeClient>;
  /** Resolves with a reason if the embedded server dies. */
  serverExited(): Promise<string>;
  options: OpenCodeOptions;
  log: Logger;
}

type End = "idle" | "deleted" | "interrupted" | "gave-up";

/**
 * One `execute()`: session, prompt, event stream, approvals, cancellation, result. Events go
 * through a bounded `EventQueue` to the consumer; exactly one `result` event comes last.
 */
export class OpenCodeRun {
  readonly queue: EventQueue;
  readonly #request: AgentRequest;
  readonly #deps: RunDeps;
  readonly #started = Date.now();
  readonly #translator: Translator;
  readonly #ended = new Signal<End>();
  #client?: OpenCodeClient;
  #approvals?: Approvals;
  #sessionId?: string;
  #promptSent = false;
  #promptAccepted = false;
  #busySeen = false;
  #cancelRequested = false;
  #abortSent = false;
  #reaborts = 0;
  #abortWhenBusy = false;
  #timedOut = false;
  /** Stopped because the run's cost reached `request.maxCostUsd`. */
  #overBudget = false;
  #rootError?: MessageError;
  #end?: End;

  constructor(request: AgentRequest, deps: RunDeps) {
    this.#request = request;
    this.#deps = deps;
    this.queue = new EventQueue(deps.options.queueCapacity);
    const cwd = request.workspace.kind === "local" ? request.workspace.directory : undefined;
    this.#translator = new Translator({ cwd });
  }

  /** The request's policy, else the provider's default (from the configuration). */
  get #policy(): PermissionPolicy | undefined {
    return this.#request.permissions ?? this.#deps.options.defaultPermissions;
  }

  get directory(): string {
    return this.#request.workspace.directory;
  }

  /** Start the run; the result is pushed last and the queue closed. */
  async drive(): Promise<void> {
    const timer = setTimeout(() => void this.#timeout(), this.#request.timeoutMs);
    let result: AgentResult;
    let stream: EventStream | undefined;
    try {
      result = await this.#run((s) => {
        stream = s;
      });
    } catch (err) {
      if (!(err instanceof CodethreadError)) this.#deps.log.error({ err }, "opencode run failed unexpectedly");
      const { costUsd, usage, turns } = this.#translator.totals();
      const failed = failureResult(err, this.#sessionId, this.#translator.finalText(), Date.now() - this.#started);
      result = { ...failed, costUsd, usage, turns };
    } finally {
      clearTimeout(timer);
      stream?.stop();
      await this.#approvals?.closeAll("The run ended.");
    }
    await this.queue.push({ type: "result", result });
    this.queue.close();
  }

  async cancel(): Promise<void> {
    this.#cancelRequested = true;
    await this.#stop();
  }

  /**
   * Cancel and timeout share this. Before the prompt: stop waiting. While `prompt_async` is in
   * flight: nothing yet (the driver calls this again once it is accepted). After: abort — but
   * only once the server's loop has started a step: on a cold instance an abort that arrives
   * before the loop starts is ignored, and one that lands while it starts breaks the session's
   * later prompts (1.18.33: "All fibers interrupted"). A fallback aborts anyway if no step comes.
   */
  async #stop(): Promise<void> {
    if (this.#ended.settled) return;
    if (!this.#promptSent) return this.#ended.resolve("gave-up");
    if (!this.#promptAccepted) return;
    if (this.#translator.totals().turns > 0) return this.#abort();
    this.#abortWhenBusy = true;
    setTimeout(() => void this.#abort(), AbortFallbackMs).unref();
  }

  respond(requestId: string, decision: PermissionDecision): Promise<boolean> {
    return this.#approvals?.respond(requestId, decision) ?? Promise.resolve(false);
  }

  async #run(onStream: (s: EventStream) => void): Promise<AgentResult> {
    const { workspace } = this.#request;
    if (workspace.kind !== "local") throw new ErrWorkspaceUnsupported(workspace.kind);
    const client = await Promise.race([this.#deps.connect(), this.#ended.promise.then(() => undefined)]);
    if (!client) return this.#result();
    this.#client = client;
    if (this.#cancelRequested || this.#timedOut) return this.#result();
    const { options, log } = this.#deps;
    const stream = new EventStream(
      {
        client,
        scope: options.eventScope ?? "directory",
        directory: this.directory,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        reconnect: options.reconnect,
        log,
      },
      (item) => this.#onItem(item),
    );
    onStream(stream);
    // Subscribe before creating the session, so no event of the run is missed.
    await Promise.race([stream.ready(), this.#ended.promise]);
    if (this.#cancelRequested || this.#timedOut) return this.#result();
    await this.#openSession(client);
    if (this.#cancelRequested || this.#timedOut) return this.#result();

    this.#promptSent = true;
    await client.promptAsync(this.directory, this.#sessionId!, {
      parts: [{ type: "text", text: this.#request.prompt }],
      ...promptModel(this.#request.model ?? options.model),
    });
    this.#promptAccepted = true;
    if (this.#cancelRequested || this.#timedOut) await this.#stop();

    const lost = stream.done.then(
      () => "gave-up" as const,
      (err: unknown) => Promise.reject(err),
    );
    const died = this.#deps.serverExited().then((reason) => {
      throw new ErrServerStopped(reason);
    });
    let end: End;
    try {
      end = await Promise.race([this.#ended.promise, lost, died]);
    } catch (err) {
      // The stream or the server is gone: keep whatever the server still tells us, then fail.
      await this.#reconcile().catch(() => {});
      throw err;
    }
    this.#end = end;
    stream.stop();
    if (end === "deleted") throw new ErrSessionNotFound("opencode", this.#sessionId!);
    await this.#settle();
    if (end === "interrupted") {
      const error = "The OpenCode server restarted during the run; the turn was interrupted.";
      return { ...this.#result(), outcome: "failed", errorCode: "agent_interrupted", error };
    }
    return this.#result();
  }

  async #openSession(client: OpenCodeClient): Promise<void> {
    const rules = rulesForPolicy(this.#policy);
    const resume = this.#request.sessionId;
    if (resume) {
      try {
        await client.getSession(this.directory, resume);
      } catch (err) {
        if (err instanceof ErrOpenCodeHttp && (err.status === 404 || err.status === 400)) {
          throw new ErrSessionNotFound("opencode", resume);
        }
        throw err;
      }
      if (rules) await client.updateSession(this.directory, resume, { permission: rules });
      const before = await client.messages(this.directory, resume);
      this.#translator.ignoreMessages(before.map((m) => m.info.id));
      this.#sessionId = resume;
    } else {
      const title = oneLine(this.#request.prompt, 60);
      const session = await client.createSession(this.directory, { title, ...(rules ? { permission: rules } : {}) });
      this.#sessionId = session.id;
    }
    this.#translator.root = this.#sessionId;
    this.#approvals = new Approvals(
      client,
      this.directory,
      this.#policy,
      this.#translator,
      (e) => this.queue.push(e),
      (e) => this.queue.pushNow(e),
      this.#deps.log,
    );
    const model = this.#request.model ?? this.#deps.options.model;
    await this.queue.push({ type: "session_started", sessionId: this.#sessionId!, ...(model ? { model } : {}) });
  }

  async #onItem(item: StreamItem): Promise<void> {
    if (item.kind === "reconnected") return this.#afterReconnect();
    const { event } = item;
    if (!this.#translator.accepts(event)) return;
    for (const e of this.#translator.handle(event)) await this.#push(e);
    const root = this.#sessionId;
    switch (event.type) {
      case "session.status":
        if (event.properties.sessionID === root && this.#promptSent && event.properties.status.type === "busy") {
          this.#busySeen = true;
          // An abort that reached the server before its loop started was a no-op: repeat it.
          if (this.#abortSent && this.#reaborts < 5) {
            this.#reaborts += 1;
            void this.#client?.abort(this.directory, root).catch(() => {});
          }
        }
        break;
      case "message.part.updated":
        // The loop is really running once a step starts: the safe moment for a deferred abort.
        if (
          this.#abortWhenBusy &&
          event.properties.part.sessionID === root &&
          event.properties.part.type === "step-start"
        ) {
          void this.#abort();
        }
        break;
      case "session.idle":
        if (event.properties.sessionID === root && this.#busySeen) this.#ended.resolve("idle");
        break;
      case "session.error":
        if (event.properties.sessionID === root && this.#promptSent && event.properties.error) {
          this.#rootError = event.properties.error;
        }
        break;
      case "session.deleted":
        if (event.properties.info.id === root) this.#ended.resolve("deleted");
        break;
      case "permission.asked":
        await this.#approvals?.asked(event.properties);
        break;
      case "permission.replied":
        this.#approvals?.replied(event.properties.requestID);
        break;
      case "question.asked":
        await this.#approvals?.question(event.properties);
        break;
    }
  }

  /** After a reconnect: catch up from the messages, and notice a turn that ended (or died) meanwhile. */
  async #afterReconnect(): Promise<void> {
    this.#translator.markGap();
    if (!this.#promptSent || !this.#sessionId || !this.#client) return;
    await this.#reconcile();
    const status = await this.#client.sessionStatus(this.directory);
    if (status[this.#sessionId]) return; // still busy or retrying: keep following
    const done = this.#translator.totals().turns > 0 && this.#translator.lastMessageDone();
    this.#ended.resolve(done ? "idle" : "interrupted");
  }

  /** Read the final state (late updates arrive after the first idle, e.g. after an abort). */
  async #settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await this.#reconcile();
      if (this.#translator.lastMessageDone()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async #reconcile(): Promise<void> {
    const client = this.#client;
    if (!client || !this.#sessionId) return;
    for (const id of [this.#sessionId, ...this.#translator.children]) {
      const messages = await client.messages(this.directory, id).catch((err: unknown) => {
        this.#deps.log.debug({ err: messageOf(err), sessionId: id }, "opencode: could not read messages");
        return [];
      });
      for (const e of this.#translator.reconcile(messages)) await this.#push(e);
    }
  }

  /** Pass an event on; a `cost` at or past the budget stops the run (aborted like a cancel). */
  async #push(e: AgentEvent): Promise<void> {
    await this.queue.push(e);
    if (e.type === "cost" && !this.#overBudget && overBudget(e.costUsd, this.#request.maxCostUsd)) {
      this.#overBudget = true;
      this.#deps.log.info({ costUsd: e.costUsd, maxCostUsd: this.#request.maxCostUsd }, "opencode: budget reached");
      void this.#stop();
    }
  }

  async #abort(): Promise<void> {
    if (this.#abortSent || !this.#client || !this.#sessionId) return;
    this.#abortSent = true;
    const grace = this.#deps.options.abortGraceMs ?? DefaultAbortGraceMs;
    setTimeout(() => this.#ended.resolve("gave-up"), grace).unref();
    await this.#approvals?.closeAll("The run was stopped.");
    await this.#client.abort(this.directory, this.#sessionId).catch((err: unknown) => {
      this.#deps.log.warn({ err: messageOf(err) }, "opencode: abort failed");
    });
  }

  async #timeout(): Promise<void> {
    this.#timedOut = true;
    await this.#stop();
  }

  #result(): AgentResult {
    const totals = this.#translator.totals();
    const error = this.#rootError ?? this.#translator.lastError();
    const outcome = outcomeOf({
      error,
      timedOut: this.#timedOut,
      cancelRequested: this.#cancelRequested,
      promptSent: this.#promptSent,
      completed: this.#end === "idle",
      finishedNormally: this.#translator.lastFinishedNormally(),
      budgetExceeded: this.#overBudget,
      maxCostUsd: this.#request.maxCostUsd,
    });
    return {
      outcome: outcome.outcome,
      sessionId: this.#sessionId,
      text: this.#translator.finalText(),
      costUsd: totals.costUsd,
      durationMs: Date.now() - this.#started,
      turns: totals.turns,
      usage: totals.usage,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
    };
  }
}
