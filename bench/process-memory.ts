/**
 * Memory of a process tree from /proc, for bench/embedded.ts: read synchronously, so the bench reads
 * it from a worker thread during the rounds (memory-sampler.ts), never on the loop that times acks.
 */
import { readdirSync, readFileSync } from "node:fs";

/** pid → parent pid of every process. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** The tree under `root` (itself included), without agent CLIs (claude runs are not the bot's memory) unless asked. */
export function tree(root: number, agents = false): number[] {
  const ppids = parents();
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    for (const [pid, ppid] of ppids) if (ppid === pids[i] && (agents || comm(pid) !== "claude")) pids.push(pid);
  }
  return pids;
}

export interface TreeMemory {
  rss: number;
  pss: number;
  processes: number;
}

/** Sum of RSS and PSS (kB → MB) over a process tree. */
export function memory(root: number): TreeMemory {
  let rss = 0;
  let pss = 0;
  const pids = tree(root);
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { rss: rss / 1024, pss: pss / 1024, processes: pids.length };
}
