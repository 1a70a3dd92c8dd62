import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { childEnv } from "./env.js";

/** One process of this machine. `start` identifies it together with `pid` (pids are reused). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time, opaque: clock ticks since boot (Linux /proc) or `ps`'s `lstart` text. Compare, never parse. */
  start: string;
}

/** Lists every process of this machine (injectable: tests pass a fake one). */
export type ProcessLister = () => Promise<ProcInfo[]>;

/** `ps` output is bounded: 8 MiB is ~100,000 processes. */
const PsMaxBytes = 8 * 1024 * 1024;
const PsTimeoutMs = 10_000;

/** One /proc/PID/stat line: `pid (comm) state ppid pgrp … starttime(22) …`; comm may hold spaces and `)`. */
export function parseProcStat(line: string): ProcInfo | undefined {
  const close = line.lastIndexOf(")");
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf(" ")));
  const rest = line.slice(close + 2).split(" ");
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const start = rest[19];
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(pgid) || !start) return undefined;
  return { pid, ppid, pgid, start };
}

/**
 * `ps -A -o pid=,ppid=,pgid=,lstart=` output: three numbers, then the start time (which has
 * spaces: `Mon Jan  6 09:12:44 2025`). Lines that do not fit are skipped.
 */
export function parsePsOutput(text: string): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    out.push({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), start: m[4]!.replace(/\s+/g, " ") });
  }
  return out;
}

/** How many /proc/PID/stat files are read between two turns of the event loop. */
const ProcReadSlice = 64;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Linux: walk /proc. Undefined where there is no /proc (macOS, BSD). Reads are synchronous (a
 * /proc file is generated in memory: one read costs less than a trip through the thread pool),
 * in slices with a turn of the event loop between them: on a busy machine a walk reads hundreds
 * of files, and Slack requests arriving meanwhile are answered between two slices.
 */
export async function listFromProc(root = "/proc"): Promise<ProcInfo[] | undefined> {
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const out: ProcInfo[] = [];
  for (let i = 0; i < names.length; i++) {
    if (i > 0 && i % ProcReadSlice === 0) await nextTurn();
    try {
      const info = parseProcStat(readFileSync(`${root}/${names[i]}/stat`, "utf8"));
      if (info) out.push(info);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Everywhere else: `ps` (argv, C locale for a stable `lstart`, bounded output and time). */
export function listFromPs(bin = "ps"): Promise<ProcInfo[]> {
  return new Promise((resolve) => {
    execFile(
      bin,
      ["-A", "-o", "pid=,ppid=,pgid=,lstart="],
      { env: childEnv({ set: { LC_ALL: "C" } }), maxBuffer: PsMaxBytes, timeout: PsTimeoutMs },
      (err, stdout) => resolve(err && !stdout ? [] : parsePsOutput(String(stdout))),
    );
  });
}

/** A lister that walks `procRoot` (default /proc) and falls back to `psBin` (default `ps`) where it is absent. */
export function createProcessLister(o: { procRoot?: string; psBin?: string } = {}): ProcessLister {
  return async () => (await listFromProc(o.procRoot)) ?? listFromPs(o.psBin);
}

/** Every process on this machine: /proc on Linux, `ps` where /proc is absent; empty if neither works. */
export const listProcesses: ProcessLister = createProcessLister();

/** `root` and all its descendants (root first, if it is alive). */
export function processTree(root: number, procs: readonly ProcInfo[]): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const self = procs.find((p) => p.pid === root);
  const out: ProcInfo[] = self ? [self] : [];
  const seen = new Set([root]);
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    for (const c of children.get(pid) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/**
 * Leaders of the process groups led from inside the tree: the CLI's own group and each tool's
 * (the Bash tool runs in its own). Groups led from outside the tree (ours, the shell's) are
 * never included.
 */
export function groupLeaders(tree: readonly ProcInfo[]): ProcInfo[] {
  return tree.filter((p) => p.pid === p.pgid && p.pgid > 1);
}
