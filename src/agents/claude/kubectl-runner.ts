import { type ChildProcess, spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { childEnv, failedProcess, watchExit } from "./local-runner.js";
import { processTree } from "./process-tree.js";
import { LaunchScript, PidMarker, StopScript } from "./remote-scripts.js";
import type { CommandSpec, ProcessExit, Runner, RunningProcess, StopStage } from "./runner.js";

export interface PodTarget {
  namespace: string;
  pod: string;
  container?: string;
  context?: string;
}

/**
 * kubectl sends the command in the exec request's URL: keep argv prompts short and send
 * longer ones through stdin.
 */
export const KubectlMaxArgvPromptBytes = 8 * 1024;

/** How long a stop exec may take before we give up on it. */
const StopExecTimeoutMs = 15_000;

/**
 * Runs the CLI in a pod with `kubectl exec -i`. Killing `kubectl` does not stop the remote
 * process, so a fixed launch script reports the remote pid on stderr and each stop stage
 * runs a second `kubectl exec` that signals that pid (and its process groups) in the pod.
 */
export class KubectlRunner implements Runner {
  readonly kind = "kubectl" as const;
  readonly maxArgvPromptBytes = KubectlMaxArgvPromptBytes;

  constructor(
    private readonly kubectlBin: string,
    private readonly target: PodTarget,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  /** `kubectl [--context C] exec [-i] -n NS POD [-c CONTAINER] -- …command`. */
  execArgs(command: string[], interactive: boolean): string[] {
    const t = this.target;
    return [
      ...(t.context ? ["--context", t.context] : []),
      "exec",
      ...(interactive ? ["-i"] : []),
      "-n",
      t.namespace,
      t.pod,
      ...(t.container ? ["-c", t.container] : []),
      "--",
      ...command,
    ];
  }

  start(spec: CommandSpec): RunningProcess {
    const envPairs = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
    const unset = spec.unsetEnv.flatMap((name) => ["-u", name]);
    const remote = [
      "sh",
      "-c",
      LaunchScript,
      "codethread-launch",
      spec.cwd,
      spec.ensureDir ?? "",
      "env",
      ...unset,
      ...envPairs,
      spec.bin,
      ...spec.args,
    ];
    let child: ChildProcess;
    try {
      child = spawn(this.kubectlBin, this.execArgs(remote, true), {
        env: childEnv({ ...spec, env: {}, unsetEnv: [] }, this.extraEnv),
        stdio: [spec.stdin, "pipe", "pipe"],
        detached: true,
        shell: false,
      });
    } catch (err) {
      return failedProcess(err);
    }
    let remotePid: number | undefined;
    const stderr = new PassThrough();
    let pending = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (remotePid !== undefined) return void stderr.write(chunk);
      pending += chunk.toString("utf8");
      const nl = pending.indexOf("\n");
      if (nl < 0 && pending.length < 4096) return;
      const first = nl < 0 ? pending : pending.slice(0, nl);
      const m = new RegExp(`^${PidMarker} (\\d+)$`).exec(first.trim());
      remotePid = m ? Number(m[1]) : 0;
      stderr.write(m ? pending.slice(nl + 1) : pending);
      pending = "";
    });
    child.stderr?.on("end", () => stderr.end(pending));
    if (child.stdin) child.stdin.on("error", () => {});
    const exited: Promise<ProcessExit> = watchExit(child);
    let done = false;
    void exited.then(() => {
      done = true;
    });

    const stopLocal = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      for (const p of processTree(child.pid)) {
        try {
          process.kill(p.pid, signal);
        } catch {
          // gone
        }
      }
    };

    return {
      stdout: child.stdout as NonNullable<ChildProcess["stdout"]>,
      stderr,
      stdin: child.stdin,
      exited,
      agentPid: () => (remotePid ? remotePid : undefined),
      stop: async (stage: StopStage) => {
        if (remotePid) await this.#remoteStop(remotePid, stage);
        if (stage === "kill" || !remotePid)
          stopLocal(stage === "interrupt" ? "SIGINT" : stage === "terminate" ? "SIGTERM" : "SIGKILL");
      },
      cleanup: async () => {
        if (!done) stopLocal("SIGKILL");
      },
    };
  }

  async #remoteStop(pid: number, stage: StopStage): Promise<void> {
    const args = this.execArgs(["sh", "-c", StopScript, "codethread-stop", String(pid), stage], false);
    await new Promise<void>((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(this.kubectlBin, args, {
          env: childEnv({ bin: "", args: [], env: {}, unsetEnv: [], cwd: "", stdin: "ignore" }, this.extraEnv),
          stdio: ["ignore", "ignore", "ignore"],
          shell: false,
        });
      } catch {
        return resolve();
      }
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve();
      }, StopExecTimeoutMs);
      child.once("error", () => {
        clearTimeout(timer);
        resolve();
      });
      child.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
