import { randomUUID } from "node:crypto";
import type { Logger } from "../../log.js";
import { readLines } from "../../process/line-reader.js";
import { StderrTail } from "../../process/stderr-tail.js";
import { sleep } from "../../sleep.js";
import type { AgentEvent } from "../events.js";
import { DefaultPermissionTimeoutMs, type PermissionDecision } from "../port.js";
import type { AgentRequest, PermissionPolicy } from "../request.js";
import { AsyncQueue } from "./async-queue.js";
import { buildCommandLine, interruptLine, permissionAnswerLine, userMessageLine } from "./command-line.js";
import type { ClaudeCodeOptions } from "./options.js";
import { buildResult, type ProcessEnd } from "./result.js";
import type { ProcessExit, Runner, RunningProcess, StopStage } from "./runner.js";
import { ClaudeStreamMapper } from "./stream-mapper.js";

export interface RunPlan {
  request: AgentRequest;
  policy: PermissionPolicy;
  runner: Runner;
  bin: string;
  /** Working directory for the CLI (local path or path in the pod). */
  cwd: string;
  configDir: string;
  options: ClaudeCodeOptions;
}

interface Pending {
  timer: NodeJS.Timeout;
  tool: string;
  input: unknown;
}

/** One execution of the CLI: spawn, stream, answer permissions, stop, and build the one result. */
export class ClaudeRun {
  readonly #plan: RunPlan;
  readonly #mapper: ClaudeStreamMapper;
  readonly #queue = new AsyncQueue<AgentEvent>();
  readonly #pending = new Map<string, Pending>();
  /** Absent when the options carry no logger (`codethread run`: pino stays unloaded). */
  readonly #log: Logger | undefined;
  #proc: RunningProcess | undefined;
  #stopping: "cancelled" | "timed_out" | undefined;
  #stdinOpen = false;
  #finished = false;

  constructor(plan: RunPlan) {
    this.#plan = plan;
    this.#mapper = new ClaudeStreamMapper({ cwd: plan.cwd });
    this.#log = plan.options.log?.child({ runId: plan.request.runId, provider: "claude-code" });
  }

  async *events(): AsyncGenerator<AgentEvent> {
    this.#start();
    let complete = false;
    try {
      for await (const event of this.#queue) {
        yield event;
        if (event.type === "result") complete = true;
      }
    } finally {
      if (!complete) await this.cancel("cancelled"); // the consumer stopped listening
    }
  }

  /**
   * Stop the run: the in-band interrupt (the CLI ends the turn with the partial answer and exits
   * once stdin closes), then SIGINT, SIGTERM and a kill of every process group, each after a
   * grace. SIGINT alone is not enough: Claude Code 2.1.197 sometimes exits on it without printing
   * the partial answer. Resolves once the first stage is requested.
   */
  async cancel(reason: "cancelled" | "timed_out"): Promise<void> {
    if (this.#stopping || this.#finished) return;
    this.#stopping = reason;
    this.#log?.info({ reason }, "stopping claude run");
    const proc = this.#proc;
    if (!proc) return;
    this.#clearPending();
    if (this.#stdinOpen && proc.stdin) {
      proc.stdin.write(interruptLine(`ctl_${randomUUID()}`));
      void this.#escalate(proc, ["interrupt", "terminate", "kill"]);
      return;
    }
    await proc.stop("interrupt");
    void this.#escalate(proc, ["terminate", "kill"]);
  }

  /** Answer a pending permission request. False when nothing with that id is waiting. */
  respond(requestId: string, decision: PermissionDecision): boolean {
    const pending = this.#pending.get(requestId);
    const stdin = this.#proc?.stdin;
    if (!pending || !stdin || !this.#stdinOpen) return false;
    clearTimeout(pending.timer);
    this.#pending.delete(requestId);
    stdin.write(permissionAnswerLine(requestId, decision.allow, pending.input, decision.message));
    if (!decision.allow) {
      const id = this.#mapper.toolUseIdOf(requestId);
      if (id) this.#mapper.markDenied(id);
      this.#queue.push({ type: "permission_denied", tool: pending.tool, id, reason: decision.message });
    }
    return true;
  }

  #start(): void {
    const { request, policy, runner, options } = this.#plan;
    const started = Date.now();
    if (this.#stopping) {
      const result = buildResult(this.#mapper.summary(), { durationMs: 0, stopped: this.#stopping });
      this.#queue.push({ type: "result", result });
      this.#queue.end();
      return;
    }
    const cmd = buildCommandLine(request, policy, {
      model: options.model,
      maxTurns: options.maxTurns,
      configDir: this.#plan.configDir,
    });
    this.#log?.debug({ args: cmd.args.length, runner: runner.kind }, "starting claude");
    const proc = runner.start({
      bin: this.#plan.bin,
      args: cmd.args,
      env: cmd.env,
      unsetEnv: cmd.unsetEnv,
      cwd: this.#plan.cwd,
      ensureDir: this.#plan.configDir,
      stdin: "pipe",
    });
    this.#proc = proc;
    const timeout = setTimeout(() => void this.cancel("timed_out"), request.timeoutMs);
    timeout.unref();
    if (proc.stdin) {
      // Open until the turn's result (permission answers, the in-band interrupt); then closed, so the CLI exits.
      this.#stdinOpen = true;
      proc.stdin.on("error", () => (this.#stdinOpen = false)); // the CLI exited first: nothing more to say
      proc.stdin.write(userMessageLine(cmd.stdinPrompt));
    }
    const stderr = new StderrTail();
    proc.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    void this.#pump(proc).then(async (exit) => {
      clearTimeout(timeout);
      this.#finished = true;
      this.#clearPending();
      this.#closeStdin();
      await proc.cleanup();
      const end: ProcessEnd = {
        durationMs: Date.now() - started,
        stopped: this.#stopping,
        timeoutMs: request.timeoutMs,
        exitCode: exit.code,
        signal: exit.signal,
        stderr: stderr.text(),
        spawnError: exit.error && exit.code === null && exit.signal === null ? exit.error : undefined,
        requestedSessionId: request.sessionId,
        maxCostUsd: request.maxCostUsd,
        agentStarted: proc.agentPid() !== undefined,
      };
      const result = buildResult(this.#mapper.summary(), end);
      this.#log?.info(
        { outcome: result.outcome, errorCode: result.errorCode, exitCode: exit.code },
        "claude run ended",
      );
      this.#queue.push({ type: "result", result });
      this.#queue.end();
    });
  }

  /** Read stdout until it ends (or shortly after the process exits, if a leftover holds it open). */
  async #pump(proc: RunningProcess): Promise<ProcessExit> {
    void proc.exited.then(async () => {
      await sleep(2_000);
      proc.stdout.destroy();
    });
    try {
      for await (const item of readLines(proc.stdout, this.#plan.options.maxLineBytes)) {
        if (item.kind === "overflow") {
          this.#queue.push({
            type: "error",
            code: "line_too_long",
            message: `Skipped an output line of ${item.bytes} bytes (over the limit).`,
          });
          continue;
        }
        const results = this.#mapper.resultCount;
        for (const event of this.#mapper.pushLine(item.text)) {
          if (event.type === "permission_request") this.#ask(event);
          this.#queue.push(event);
        }
        if (this.#mapper.resultCount > results && this.#pending.size === 0) this.#closeStdin();
      }
    } catch (err) {
      this.#log?.debug({ err }, "claude stdout closed early");
    }
    return proc.exited;
  }

  #ask(event: Extract<AgentEvent, { type: "permission_request" }>): void {
    const policy = this.#plan.policy;
    const ms =
      (policy.mode === "ask" ? policy.timeoutMs : undefined) ??
      this.#plan.options.permissionTimeoutMs ??
      DefaultPermissionTimeoutMs;
    const timer = setTimeout(() => {
      const minutes = ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
      this.respond(event.id, { allow: false, message: `No one answered within ${minutes}, so this was denied.` });
    }, ms);
    timer.unref();
    this.#pending.set(event.id, { timer, tool: event.tool, input: event.input });
  }

  #clearPending(): void {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
  }

  #closeStdin(): void {
    if (!this.#stdinOpen) return;
    this.#stdinOpen = false;
    this.#proc?.stdin?.end();
  }

  /** Each stage once the one before had its grace and the process is still there. */
  async #escalate(proc: RunningProcess, stages: StopStage[]): Promise<void> {
    const grace = this.#plan.options.stopGraceMs ?? 5_000;
    const exitedWithin = (ms: number) => Promise.race([proc.exited.then(() => true), sleep(ms).then(() => false)]);
    for (const stage of stages) {
      if (await exitedWithin(grace)) return;
      this.#log?.warn({ stage }, "claude still running after the last stop request; escalating");
      await proc.stop(stage);
    }
  }
}
