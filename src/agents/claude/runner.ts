import type { Readable, Writable } from "node:stream";

/** What to run: argv only, never a shell string. */
export interface CommandSpec {
  bin: string;
  args: string[];
  /** Variables the command needs on top of the runner's environment. */
  env: Record<string, string>;
  /** Variables that must not reach the command (e.g. an inherited IS_SANDBOX). */
  unsetEnv: string[];
  /** Working directory (local path, or path inside the pod). */
  cwd: string;
  /** Directory to create before starting (the per-workspace CLAUDE_CONFIG_DIR). */
  ensureDir?: string;
  /** `pipe` only when the stream-json input protocol is in use; otherwise stdin is closed. */
  stdin: "pipe" | "ignore";
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started. */
  error?: { code?: string; message: string };
}

/** How hard to stop: SIGINT (the CLI reports a cancelled result), SIGTERM, then kill every process group. */
export type StopStage = "interrupt" | "terminate" | "kill";

export interface RunningProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable | null;
  readonly exited: Promise<ProcessExit>;
  /** Process id of the agent CLI (in the pod for the kubectl runner), once known. */
  agentPid(): number | undefined;
  stop(stage: StopStage): Promise<void>;
  /** After exit: kill whatever the run left behind (tool process groups). */
  cleanup(): Promise<void>;
}

/** Where the CLI runs: this machine, or a pod through `kubectl exec`. */
export interface Runner {
  readonly kind: "local" | "kubectl";
  /** Longest prompt (UTF-8 bytes) this runner passes as an argv string; longer ones go through stdin. */
  readonly maxArgvPromptBytes: number;
  start(spec: CommandSpec): RunningProcess;
}
