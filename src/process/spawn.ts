import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { PassThrough, type Readable, type Writable } from "node:stream";
import type { Logger } from "pino";
import { messageOf } from "../errors.js";
import { childEnv, type InheritPolicy } from "./env.js";
import { type ProcessExit, watchExit } from "./exit.js";
import { lowerPriority } from "./priority.js";
import type { ProcInfo } from "./process-table.js";
import { ProcessRecord } from "./records.js";
import { SpawnHelper } from "./spawner/spawn-helper.js";
import { type ParentWatch, watchParentDeath } from "./watchdog.js";

/** What to start: argv only — never a shell string, `shell` is always false. */
export interface ProcessSpec {
  bin: string;
  args: readonly string[];
  cwd?: string;
  /** Directory to create before starting (e.g. a per-workspace config dir). */
  ensureDir?: string;
  /** Variables set for the child on top of what it inherits (see env.ts; not filtered). */
  env?: Readonly<Record<string, string>>;
  /** Variables the child must not have, inherited or set. */
  unsetEnv?: readonly string[];
  /** Which of the bot's variables the child may inherit beyond the base list (env.ts). */
  inherit?: readonly InheritPolicy[];
  /** Default `ignore`. */
  stdin?: "pipe" | "ignore";
  /** Default `pipe`. */
  stdout?: "pipe" | "ignore";
  /** Default `pipe`. */
  stderr?: "pipe" | "ignore";
  /** Leader of its own process group (and session): signalled as a group, shielded from a terminal's Ctrl-C. */
  detached?: boolean;
  /** Aborting sends SIGTERM (Node's spawn `signal`). */
  signal?: AbortSignal;
  /** An agent: a watchdog kills its tree if this process dies (watchdog.ts). */
  dieWithParent?: boolean;
  /** An agent: record pid and start time in this directory for `killLeftovers` (records.ts). */
  recordDir?: string;
  /** Lower the child's CPU priority by this nice increment right after it starts (priority.ts). */
  niceness?: number;
  /**
   * Start it from the spawn helper (spawner/spawn-helper.ts) when the bot turned that on
   * (`useSpawnHelper`): the bot's event loop then never waits on a fork. Agents set it.
   */
  offLoop?: boolean;
}

/** A started (or failed) process. Streams that are not piped are empty and ended. */
export interface SpawnedProcess {
  /** Known once the process has started: at once when spawned directly, a moment later from the helper. */
  readonly pid: number | undefined;
  /** The pid once started, undefined if it never started. */
  readonly started: Promise<number | undefined>;
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once, with the exit or with why it never started. */
  readonly exited: Promise<ProcessExit>;
  /** Signal the process itself; false when it is gone. */
  kill(signal: NodeJS.Signals): boolean;
  /** Process groups led inside its tree (tools): the parent-death watch and the record stop them too. */
  trackGroups(leaders: readonly ProcInfo[]): void;
}

function ended(): PassThrough {
  const s = new PassThrough();
  s.end();
  return s;
}

/** A process that never started: empty streams and an exit that says why. */
export function failedToStart(err: unknown): SpawnedProcess {
  const code = err && typeof err === "object" && "code" in err && typeof err.code === "string" ? err.code : undefined;
  return {
    pid: undefined,
    started: Promise.resolve(undefined),
    stdin: null,
    stdout: ended(),
    stderr: ended(),
    exited: Promise.resolve({ code: null, signal: null, error: { code, message: messageOf(err) } }),
    kill: () => false,
    trackGroups: () => {},
  };
}

/**
 * The one way codethread starts a process: argv only, the environment from `childEnv`, and for
 * agents the parent-death watch and the leftover record, both released when the process exits.
 * Never throws: a process that cannot start reports it through `exited`.
 */
export function spawnProcess(spec: ProcessSpec): SpawnedProcess {
  try {
    if (spec.ensureDir) mkdirSync(spec.ensureDir, { recursive: true });
  } catch (err) {
    return failedToStart(err);
  }
  const helper = spec.offLoop ? sharedHelper : undefined;
  return helper ? helper.spawn(spec) : spawnHere(spec);
}

let sharedHelper: SpawnHelper | undefined;

/**
 * From now on, processes that ask for it (`offLoop`) start from one spawn helper process, started
 * now. `codethread start` calls it; the `run` command and tools (git, kubectl probes) spawn directly.
 */
export function useSpawnHelper(log?: Logger): void {
  sharedHelper ??= new SpawnHelper(log);
  sharedHelper.warm();
}

function spawnHere(spec: ProcessSpec): SpawnedProcess {
  let child: ChildProcess;
  try {
    child = spawn(spec.bin, [...spec.args], {
      cwd: spec.cwd,
      env: childEnv({ inherit: spec.inherit, set: spec.env, unset: spec.unsetEnv }),
      stdio: [spec.stdin ?? "ignore", spec.stdout ?? "pipe", spec.stderr ?? "pipe"],
      detached: spec.detached ?? false,
      signal: spec.signal,
      shell: false,
    });
  } catch (err) {
    return failedToStart(err);
  }
  const pid = child.pid;
  if (pid !== undefined && spec.niceness) lowerPriority(pid, spec.niceness, spec.detached ?? false);
  child.stdin?.on("error", () => {}); // EPIPE when the child exits first
  const exited = watchExit(child);
  const watch: ParentWatch | undefined = pid !== undefined && spec.dieWithParent ? watchParentDeath(pid) : undefined;
  if (watch && spec.detached) watch.track([pid as number]);
  const record =
    pid !== undefined && spec.recordDir
      ? ProcessRecord.create(spec.recordDir, pid, spec.bin).catch(() => undefined)
      : Promise.resolve(undefined);
  void exited.then(async () => {
    watch?.release();
    (await record)?.remove();
  });
  return {
    pid,
    started: Promise.resolve(pid),
    stdin: child.stdin,
    stdout: child.stdout ?? ended(),
    stderr: child.stderr ?? ended(),
    exited,
    kill: (signal) => child.kill(signal), // false once exited: a reused pid is never signalled
    trackGroups(leaders) {
      watch?.track(leaders.map((l) => l.pgid));
      void record.then((r) => r?.addGroups(leaders));
    },
  };
}
