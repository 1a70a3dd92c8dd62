import { PassThrough } from "node:stream";
import { runToEnd } from "../../process/capture.js";
import { listProcesses, processTree } from "../../process/process-table.js";
import { signalProcess } from "../../process/signals.js";
import { spawnProcess } from "../../process/spawn.js";
import { KubectlInherit } from "./environment.js";
import { LaunchScript, PidMarker, StopScript } from "./remote-scripts.js";
import type { CommandSpec, ProcessExit, Runner, RunnerEnvironment, RunningProcess, StopStage } from "./runner.js";

export interface PodTarget {
  namespace: string;
  pod: string;
  container?: string;
  context?: string;
}

/** How long a stop exec may take before we give up on it. */
const StopExecTimeoutMs = 15_000;

/**
 * Runs the CLI in a pod with `kubectl exec -i`. Killing `kubectl` does not stop the remote
 * process, so a fixed launch script reports the remote pid on stderr and each stop stage
 * runs a second `kubectl exec` that signals that pid (and its process groups) in the pod.
 */
export class KubectlRunner implements Runner {
  readonly kind = "kubectl" as const;

  constructor(
    private readonly kubectlBin: string,
    private readonly target: PodTarget,
    private readonly environment: RunnerEnvironment = { inherit: [] },
  ) {}

  /** kubectl's own environment (locally): the runner's variables, kubeconfig, the operator's extras. */
  #local() {
    return { env: this.environment.env, inherit: [KubectlInherit, ...this.environment.inherit] };
  }

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
    // The local kubectl dies with the bot (watchdog). The CLI in the pod does not: nothing there
    // watches the bot yet (a remote watchdog is future work, see docs/DEVELOPING.md).
    const child = spawnProcess({
      bin: this.kubectlBin,
      args: this.execArgs(remote, true),
      ...this.#local(),
      stdin: spec.stdin,
      detached: true,
      dieWithParent: true,
      recordDir: this.environment.recordDir,
      offLoop: true,
    });
    let remotePid: number | undefined;
    const stderr = new PassThrough();
    let pending = "";
    child.stderr.on("data", (chunk: Buffer) => {
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
    child.stderr.on("end", () => stderr.end(pending));
    const exited: Promise<ProcessExit> = child.exited;
    let done = false;
    void exited.then(() => {
      done = true;
    });

    const stopLocal = async (signal: NodeJS.Signals) => {
      const pid = await child.started;
      if (pid === undefined || done) return;
      for (const p of processTree(pid, await listProcesses())) signalProcess(p.pid, signal);
    };

    return {
      stdout: child.stdout,
      stderr,
      stdin: child.stdin,
      exited,
      agentPid: () => (remotePid ? remotePid : undefined),
      stop: async (stage: StopStage) => {
        if (remotePid) await this.#remoteStop(remotePid, stage);
        if (stage === "kill" || !remotePid)
          await stopLocal(stage === "interrupt" ? "SIGINT" : stage === "terminate" ? "SIGTERM" : "SIGKILL");
      },
      cleanup: async () => {
        await stopLocal("SIGKILL");
      },
    };
  }

  async #remoteStop(pid: number, stage: StopStage): Promise<void> {
    await runToEnd(
      {
        bin: this.kubectlBin,
        args: this.execArgs(["sh", "-c", StopScript, "codethread-stop", String(pid), stage], false),
        ...this.#local(),
      },
      { timeoutMs: StopExecTimeoutMs, maxBytes: 4096 },
    );
  }
}
