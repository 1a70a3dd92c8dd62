import type { Readable, Writable } from "node:stream";
import type { InheritPolicy } from "../../process/env.js";
import type { ProcessExit } from "../../process/exit.js";

export type { ProcessExit };

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
  /** `pipe` for the stream-json input protocol (the prompt, permission answers, the interrupt). */
  stdin: "pipe" | "ignore";
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
  start(spec: CommandSpec): RunningProcess;
}

/** How a runner's processes are started: which variables they inherit, where agents are recorded. */
export interface RunnerEnvironment {
  /** Variables set for every process of the runner (API base URL, HOME, …). */
  env?: Record<string, string>;
  /** The CLI's declared names plus the operator's CODETHREAD_AGENT_ENV. */
  inherit: readonly InheritPolicy[];
  /** Directory for leftover records (the data directory's `processes/`). */
  recordDir?: string;
}
