import { readdirSync, readFileSync } from "node:fs";

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
}

function readStat(pid: string): ProcInfo | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
    const rest = line.slice(line.lastIndexOf(")") + 2).split(" ");
    return { pid: Number(pid), ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

/** Every process on this machine (Linux /proc); empty where /proc is missing. */
export function listProcesses(): ProcInfo[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const info = readStat(name);
    if (info) out.push(info);
  }
  return out;
}

/** `root` and all its descendants. */
export function processTree(root: number, procs = listProcesses()): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const self = procs.find((p) => p.pid === root);
  const out: ProcInfo[] = self ? [self] : [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/**
 * Process groups led by a process of the tree: the CLI's own group and each Bash tool's group.
 * Groups led from outside the tree (ours, the shell's) are never included.
 */
export function treeGroups(root: number): number[] {
  const tree = processTree(root);
  const pids = new Set(tree.map((p) => p.pid));
  return [...new Set(tree.map((p) => p.pgid))].filter((g) => g > 1 && pids.has(g));
}

/** True while some process of group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Send a signal to a process group, ignoring groups that are already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone
  }
}
