import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { PassThrough } from "node:stream";
import { messageOf } from "../../errors.js";
import { groupAlive, processTree, signalGroup, treeGroups } from "./process-tree.js";
import type { CommandSpec, ProcessExit, Runner, RunningProcess, StopStage } from "./runner.js";

/** Longest argv string Linux accepts is 128 KiB; stay well below it. */
export const LocalMaxArgvPromptBytes = 100 * 1024;

/**
 * codethread's own secrets and settings. The agent runs arbitrary commands, so they never reach
 * its environment (the Slack token, the database URL, the encryption key…).
 */
export const PrivateEnv = /^(SLACK_|CODETHREAD_|OPENCODE_SERVER_)|^(TEST_)?DATABASE_URL$/;

/** The environment for a child: ours without codethread's secrets, plus `extra`, plus the spec's, minus the spec's unset list. */
export function childEnv(spec: CommandSpec, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !PrivateEnv.test(name)));
  const env: NodeJS.ProcessEnv = { ...inherited, ...extra, ...spec.env };
  for (const name of spec.unsetEnv) delete env[name];
  return env;
}

/** Wraps a ChildProcess: exit as a promise (spawn errors included), never a throw. */
export function watchExit(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    let spawnError: ProcessExit["error"];
    child.once("error", (err: NodeJS.ErrnoException) => {
      spawnError = { code: err.code, message: err.message };
      if (child.pid === undefined) resolve({ code: null, signal: null, error: spawnError });
    });
    // "exit", not "close": a background tool holding stdout open must not hide the exit.
    child.once("exit", (code, signal) => resolve({ code, signal, error: spawnError }));
  });
}

/** A process that never started: empty streams and an exit that reports why. */
export function failedProcess(err: unknown): RunningProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.end();
  stderr.end();
  const code = err && typeof err === "object" && "code" in err && typeof err.code === "string" ? err.code : undefined;
  return {
    stdout,
    stderr,
    stdin: null,
    exited: Promise.resolve({ code: null, signal: null, error: { code, message: messageOf(err) } }),
    agentPid: () => undefined,
    stop: async () => {},
    cleanup: async () => {},
  };
}

/**
 * Runs the CLI on this machine, in the workspace directory, as the leader of its own process
 * group (so a terminal's Ctrl-C does not reach it directly). Remembers every process group the
 * run's tree leads — the Bash tool runs in its own — to kill them all when stopping.
 */
export class LocalRunner implements Runner {
  readonly kind = "local" as const;
  readonly maxArgvPromptBytes = LocalMaxArgvPromptBytes;

  constructor(private readonly extraEnv: Record<string, string> = {}) {}

  start(spec: CommandSpec): RunningProcess {
    let child: ChildProcess;
    try {
      if (spec.ensureDir) mkdirSync(spec.ensureDir, { recursive: true });
      child = spawn(spec.bin, spec.args, {
        cwd: spec.cwd,
        env: childEnv(spec, this.extraEnv),
        stdio: [spec.stdin, "pipe", "pipe"],
        detached: true,
        shell: false,
      });
    } catch (err) {
      return failedProcess(err);
    }
    const pid = child.pid;
    const groups = new Set<number>();
    const snapshot = () => {
      if (pid !== undefined) for (const g of treeGroups(pid)) groups.add(g);
    };
    const timer = setInterval(snapshot, 1_000);
    timer.unref();
    const exited = watchExit(child).then((exit) => {
      clearInterval(timer);
      return exit;
    });
    if (child.stdin) child.stdin.on("error", () => {}); // EPIPE when the CLI exits first
    return {
      stdout: child.stdout as NonNullable<ChildProcess["stdout"]>,
      stderr: child.stderr as NonNullable<ChildProcess["stderr"]>,
      stdin: child.stdin,
      exited,
      agentPid: () => pid,
      stop: async (stage: StopStage) => {
        if (pid === undefined) return;
        snapshot();
        if (stage === "interrupt") {
          tryKill(pid, "SIGINT");
        } else if (stage === "terminate") {
          tryKill(pid, "SIGTERM");
          for (const g of groups) if (g !== pid) signalGroup(g, "SIGTERM");
        } else {
          const tree = processTree(pid);
          for (const g of groups) signalGroup(g, "SIGKILL");
          for (const p of tree) tryKill(p.pid, "SIGKILL");
          tryKill(pid, "SIGKILL");
        }
      },
      cleanup: async () => {
        for (const g of groups) if (groupAlive(g)) signalGroup(g, "SIGKILL");
      },
    };
  }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
