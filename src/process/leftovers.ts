import { readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import type { Logger } from "../log.js";
import { silentLogger } from "../log.js";
import { sleep } from "../sleep.js";
import { groupLeaders, listProcesses, type ProcessLister, type ProcInfo, processTree } from "./process-table.js";
import { ProcessRecordSchema, RecordSuffix } from "./records.js";
import { signalGroup, signalProcess } from "./signals.js";

export interface LeftoverOptions {
  lister?: ProcessLister;
  /** Between SIGTERM and SIGKILL (default 3 s). */
  graceMs?: number;
  log?: Logger;
}

export interface LeftoverReport {
  /** Records read (each is removed unless its owner is still running). */
  records: number;
  /** Processes that were still running and got signalled. */
  stopped: number;
}

const same = (procs: readonly ProcInfo[], pid: number, start: string) =>
  start !== "" && procs.some((p) => p.pid === pid && p.start === start);

/**
 * Stops what a previous bot left running from `dir` (see records.ts): call it once at start,
 * before taking work. A record is acted on only when it was written on this host and its owner
 * is gone (pid and start time no longer match a running process). Then every recorded process
 * whose pid *and* start time still match — the agent and the tool group leaders — is stopped
 * with its whole tree: SIGTERM, up to `graceMs`, SIGKILL to whatever of the same processes is
 * left. A pid now used by an unrelated process has another start time and is never touched.
 */
export async function killLeftovers(dir: string, options: LeftoverOptions = {}): Promise<LeftoverReport> {
  const lister = options.lister ?? listProcesses;
  const log = options.log ?? silentLogger;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(RecordSuffix));
  } catch {
    return { records: 0, stopped: 0 };
  }
  let procs = await lister();
  const targets = new Map<number, ProcInfo>();
  const groups = new Set<number>();
  let records = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    let parsed: ReturnType<typeof ProcessRecordSchema.safeParse>;
    try {
      parsed = ProcessRecordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    } catch {
      parsed = ProcessRecordSchema.safeParse(undefined);
    }
    if (!parsed.success) {
      log.warn({ file }, "removing an unreadable process record");
      rmSync(file, { force: true });
      continue;
    }
    const r = parsed.data;
    if (r.host !== hostname()) continue;
    const ownerAlive =
      r.owner.start === "" ? procs.some((p) => p.pid === r.owner.pid) : same(procs, r.owner.pid, r.owner.start);
    if (ownerAlive) continue;
    records++;
    const roots = [{ pid: r.pid, start: r.start }, ...r.groups.map((g) => ({ pid: g.pgid, start: g.start }))];
    for (const root of roots) {
      if (!same(procs, root.pid, root.start)) continue;
      const tree = processTree(root.pid, procs);
      for (const p of tree) targets.set(p.pid, p);
      for (const l of groupLeaders(tree)) groups.add(l.pgid);
    }
    rmSync(file, { force: true });
  }
  if (targets.size === 0) return { records, stopped: 0 };
  log.warn({ processes: [...targets.keys()], groups: [...groups] }, "stopping agent processes left by a previous run");
  for (const g of groups) signalGroup(g, "SIGTERM");
  for (const p of targets.values()) signalProcess(p.pid, "SIGTERM");
  const until = Date.now() + (options.graceMs ?? 3_000);
  const alive = (list: readonly ProcInfo[]) => [...targets.values()].filter((t) => same(list, t.pid, t.start));
  while (Date.now() < until) {
    procs = await lister();
    if (alive(procs).length === 0) return { records, stopped: targets.size };
    await sleep(100, undefined, { keepAlive: true });
  }
  procs = await lister();
  for (const t of alive(procs)) {
    if (groups.has(t.pid)) signalGroup(t.pid, "SIGKILL");
    signalProcess(t.pid, "SIGKILL");
  }
  return { records, stopped: targets.size };
}
