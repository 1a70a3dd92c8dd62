import { groupLeaders, listProcesses, processTree } from "../../process/process-table.js";
import { groupAlive, signalGroup, signalProcess } from "../../process/signals.js";
import { spawnProcess } from "../../process/spawn.js";
import type { CommandSpec, Runner, RunnerEnvironment, RunningProcess, StopStage } from "./runner.js";

/** How much lower an agent's CPU priority is than the bot's (nice increment; see ProcessSpec.niceness). */
export const AgentNiceness = 10;

/**
 * Runs the CLI on this machine, in the workspace directory, as the leader of its own process
 * group (so a terminal's Ctrl-C does not reach it directly), watched by a parent-death
 * watchdog and recorded for a restarted bot. Remembers every process group the run's tree
 * leads — the Bash tool runs in its own — to kill them all when stopping.
 */
export class LocalRunner implements Runner {
  readonly kind = "local" as const;

  constructor(private readonly environment: RunnerEnvironment = { inherit: [] }) {}

  start(spec: CommandSpec): RunningProcess {
    const proc = spawnProcess({
      bin: spec.bin,
      args: spec.args,
      cwd: spec.cwd,
      ensureDir: spec.ensureDir,
      env: { ...this.environment.env, ...spec.env },
      unsetEnv: spec.unsetEnv,
      inherit: this.environment.inherit,
      stdin: spec.stdin,
      detached: true,
      dieWithParent: true,
      recordDir: this.environment.recordDir,
      niceness: AgentNiceness,
      offLoop: true,
    });
    const groups = new Set<number>();
    let running: Promise<void> | undefined;
    const snapshot = async () => {
      const pid = await proc.started;
      if (pid === undefined) return;
      running ??= listProcesses()
        .then((procs) => {
          const leaders = groupLeaders(processTree(pid, procs));
          for (const l of leaders) groups.add(l.pgid);
          proc.trackGroups(leaders);
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    };
    const timer = setInterval(() => void snapshot(), 1_000);
    timer.unref();
    const exited = proc.exited.then((exit) => {
      clearInterval(timer);
      return exit;
    });
    return {
      stdout: proc.stdout,
      stderr: proc.stderr,
      stdin: proc.stdin,
      exited,
      agentPid: () => proc.pid,
      stop: async (stage: StopStage) => {
        const pid = await proc.started;
        if (pid === undefined) return;
        await snapshot();
        if (stage === "interrupt") {
          proc.kill("SIGINT");
        } else if (stage === "terminate") {
          proc.kill("SIGTERM");
          for (const g of groups) if (g !== pid) signalGroup(g, "SIGTERM");
        } else {
          const tree = processTree(pid, await listProcesses());
          for (const g of groups) signalGroup(g, "SIGKILL");
          for (const p of tree) signalProcess(p.pid, "SIGKILL");
          proc.kill("SIGKILL");
        }
      },
      cleanup: async () => {
        for (const g of groups) if (groupAlive(g)) signalGroup(g, "SIGKILL");
      },
    };
  }
}
