import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { CodethreadError, messageOf } from "../../errors.js";
import { PackageRoot, RunningFromSources } from "../../package-root.js";
import { childEnv } from "../env.js";
import type { ProcessExit } from "../exit.js";
import type { ProcInfo } from "../process-table.js";
import { ProcessRecord } from "../records.js";
import type { ProcessSpec, SpawnedProcess } from "../spawn.js";
import { HelperReply, type HelperRequest } from "./protocol.js";

/** Output the bot has not read yet, per stream, before it asks the helper to pause that stream. */
const StreamHighWaterMark = 64 * 1024;

/** The helper went away while a process it started was running (an agent's watchdog then stops it). */
export class ErrSpawnHelperGone extends CodethreadError {
  constructor(detail: string) {
    super("spawn_helper_gone", `The process helper exited (${detail}) while a process it started was running.`, {
      detail,
    });
  }
}

/** A write to a helper-started process's stdin that cannot arrive (it exited, or its stdin closed). */
export class ErrStdinClosed extends CodethreadError {
  constructor(detail: string) {
    super("stdin_closed", `The process's stdin is closed: ${detail}.`, { detail });
  }
}

/** helper.ts: compiled beside this module in dist/, or run from the sources through tsx. */
function helperProgram(): { file: string; execArgv: string[] } {
  if (!RunningFromSources)
    return { file: path.join(PackageRoot, "dist", "process", "spawner", "helper.js"), execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { file: path.join(PackageRoot, "src", "process", "spawner", "helper.ts"), execArgv: ["--import", tsx] };
}

/** The bot's end of one process the helper started: the same shape as a directly spawned one. */
class HelperProcess implements SpawnedProcess {
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
  readonly stdin: Writable | null;
  readonly exited: Promise<ProcessExit>;
  readonly started: Promise<number | undefined>;
  #pid: number | undefined;
  #done = false;
  #resolveExit!: (exit: ProcessExit) => void;
  #resolveStarted!: (pid: number | undefined) => void;
  #record: Promise<ProcessRecord | undefined> = Promise.resolve(undefined);
  /** stdin writes waiting for the helper's `written`, by sequence number. */
  readonly #writes = new Map<number, (err?: Error) => void>();
  #seq = 0;
  readonly #paused = { 1: false, 2: false };

  constructor(
    readonly id: number,
    private readonly spec: ProcessSpec,
    private readonly send: (m: HelperRequest) => void,
  ) {
    this.exited = new Promise((r) => (this.#resolveExit = r));
    this.started = new Promise((r) => (this.#resolveStarted = r));
    this.stdout = this.#output(1, spec.stdout ?? "pipe");
    this.stderr = this.#output(2, spec.stderr ?? "pipe");
    this.stdin = (spec.stdin ?? "ignore") === "pipe" ? this.#input() : null;
  }

  get pid(): number | undefined {
    return this.#pid;
  }

  #output(fd: 1 | 2, mode: "pipe" | "ignore"): PassThrough {
    const stream = new PassThrough({ highWaterMark: StreamHighWaterMark });
    if (mode === "ignore") stream.end();
    stream.on("drain", () => {
      if (!this.#paused[fd]) return;
      this.#paused[fd] = false;
      this.send({ t: "resume", id: this.id, fd });
    });
    return stream;
  }

  #input(): Writable {
    const stdin = new Writable({
      highWaterMark: StreamHighWaterMark,
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.#done) return callback(new ErrStdinClosed("the process has exited"));
        const seq = ++this.#seq;
        this.#writes.set(seq, callback);
        this.send({ t: "stdin", id: this.id, seq, data: chunk });
      },
      final: (callback) => {
        this.send({ t: "stdin-end", id: this.id });
        callback();
      },
    });
    stdin.on("error", () => {}); // EPIPE when the child exits first, as with a direct pipe
    return stdin;
  }

  /** A message from the helper about this process. */
  receive(m: HelperReply): void {
    switch (m.t) {
      case "spawned":
        this.#pid = m.pid;
        this.#resolveStarted(m.pid);
        if (this.spec.recordDir)
          this.#record = ProcessRecord.create(this.spec.recordDir, m.pid, this.spec.bin).catch(() => undefined);
        return;
      case "data": {
        const stream = m.fd === 1 ? this.stdout : this.stderr;
        if (stream.writableEnded) return;
        const more = stream.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        if (!more && !this.#paused[m.fd]) {
          this.#paused[m.fd] = true;
          this.send({ t: "pause", id: this.id, fd: m.fd });
        }
        return;
      }
      case "end":
        (m.fd === 1 ? this.stdout : this.stderr).end();
        return;
      case "written": {
        const callback = this.#writes.get(m.seq);
        this.#writes.delete(m.seq);
        callback?.(m.error ? new ErrStdinClosed(m.error) : undefined);
        return;
      }
      case "exit":
        this.#finish({ code: m.code, signal: m.signal as NodeJS.Signals | null, error: m.error });
        // A process that never started sends no end of its streams.
        if (this.#pid === undefined) this.#endStreams();
        return;
    }
  }

  /** The helper itself is gone: this process is over (its watchdog stops it), and so are its streams. */
  lost(err: ErrSpawnHelperGone): void {
    this.#finish({ code: null, signal: null, error: { code: err.code, message: err.message } });
    this.#endStreams();
  }

  #finish(exit: ProcessExit): void {
    if (this.#done) return;
    this.#done = true;
    this.#resolveStarted(this.#pid);
    this.#resolveExit(exit);
    for (const callback of this.#writes.values()) callback(new ErrStdinClosed("the process has exited"));
    this.#writes.clear();
    void this.#record.then((r) => r?.remove());
  }

  #endStreams(): void {
    for (const s of [this.stdout, this.stderr]) if (!s.writableEnded) s.end();
  }

  /** Exited and both streams ended: nothing more can come for it. */
  get finished(): boolean {
    return this.#done && this.stdout.writableEnded && this.stderr.writableEnded;
  }

  kill(signal: NodeJS.Signals): boolean {
    if (this.#done) return false; // a reused pid is never signalled
    this.send({ t: "kill", id: this.id, signal });
    return true;
  }

  trackGroups(leaders: readonly ProcInfo[]): void {
    if (this.#done) return;
    this.send({ t: "track", id: this.id, pgids: leaders.map((l) => l.pgid) });
    void this.#record.then((r) => r?.addGroups(leaders));
  }
}

/**
 * Starts processes through the spawn helper (helper.ts), a small long-lived child of the bot, so
 * that a fork never holds the bot's event loop. One helper serves the whole process; it is started
 * again on the next spawn if it ever exits. While no process of it is running, neither the helper
 * nor its channel keeps the bot alive.
 */
export class SpawnHelper {
  #child: ChildProcess | undefined;
  readonly #processes = new Map<number, HelperProcess>();
  #nextId = 1;

  constructor(private readonly log?: Logger) {}

  /** Start the helper now (at the bot's start), so the first run does not wait for it. */
  warm(): void {
    this.#helper();
  }

  /** The helper's pid while it runs. */
  get helperPid(): number | undefined {
    return this.#child?.pid;
  }

  /** Close the channel: the helper exits (the watchdogs of agents still running then stop them). */
  close(): void {
    if (this.#child?.connected) this.#child.disconnect();
  }

  #helper(): ChildProcess {
    if (this.#child) return this.#child;
    const program = helperProgram();
    const child = fork(program.file, [], {
      execArgv: program.execArgv,
      env: childEnv(),
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      detached: true,
    });
    this.#child = child;
    child.on("message", (raw) => {
      const m = HelperReply.safeParse(raw);
      if (!m.success) {
        this.log?.error({ err: m.error.message }, "the spawn helper sent a message that is not in its protocol");
        return;
      }
      const proc = this.#processes.get(m.data.id);
      proc?.receive(m.data);
      if (proc?.finished) this.#forget(proc);
    });
    child.on("error", (err) => this.log?.warn({ err: messageOf(err) }, "spawn helper channel error"));
    child.once("exit", (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#processes.size === 0) return;
      const err = new ErrSpawnHelperGone(signal ? `signal ${signal}` : `code ${code}`);
      this.log?.error({ err: err.message, processes: this.#processes.size }, "the spawn helper exited");
      for (const proc of this.#processes.values()) proc.lost(err);
      this.#processes.clear();
    });
    this.#hold(false);
    return child;
  }

  /** Keep the bot alive while the helper runs something of ours, not otherwise. */
  #hold(active: boolean): void {
    const child = this.#child;
    if (!child) return;
    const channel = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (active) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  }

  #forget(proc: HelperProcess): void {
    this.#processes.delete(proc.id);
    if (this.#processes.size === 0) this.#hold(false);
  }

  /** Start `spec` from the helper. Through `spawnProcess`, which has created `spec.ensureDir` already. */
  spawn(spec: ProcessSpec): SpawnedProcess {
    const child = this.#helper();
    const send = (m: HelperRequest) => {
      if (!child.connected) return;
      child.send(m, (err: Error | null) => {
        if (err) this.log?.warn({ err: messageOf(err), message: m.t }, "could not reach the spawn helper");
      });
    };
    const proc = new HelperProcess(this.#nextId++, spec, send);
    this.#processes.set(proc.id, proc);
    this.#hold(true);
    send({
      t: "spawn",
      id: proc.id,
      bin: spec.bin,
      args: [...spec.args],
      cwd: spec.cwd,
      env: childEnv({ inherit: spec.inherit, set: spec.env, unset: spec.unsetEnv }),
      stdin: spec.stdin ?? "ignore",
      stdout: spec.stdout ?? "pipe",
      stderr: spec.stderr ?? "pipe",
      detached: spec.detached ?? false,
      niceness: spec.niceness,
      dieWithParent: spec.dieWithParent ?? false,
    });
    spec.signal?.addEventListener("abort", () => proc.kill("SIGTERM"), { once: true });
    if (spec.signal?.aborted) proc.kill("SIGTERM");
    return proc;
  }
}
