import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { z } from "zod";
import { listProcesses, type ProcessLister, type ProcInfo } from "./process-table.js";

/**
 * One file per running agent process in a directory the caller owns (the data directory's
 * `processes/`), so that a bot restarted after a crash can find and stop what its predecessor
 * left running (`killLeftovers`). A process is identified by pid *and* start time: a pid reused
 * by an unrelated process never matches. The owner (the bot that started it) is recorded the
 * same way, so records of a bot that is still alive are left alone.
 */
const Identity = z.object({ pid: z.number().int().positive(), start: z.string() });
export const ProcessRecordSchema = z.object({
  version: z.literal(1),
  host: z.string(),
  owner: Identity,
  pid: z.number().int().positive(),
  start: z.string(),
  command: z.string(),
  /** Leaders of process groups found in the tree (tools), each with its start time. */
  groups: z.array(z.object({ pgid: z.number().int().positive(), start: z.string() })),
});
export type ProcessRecordData = z.infer<typeof ProcessRecordSchema>;

export const RecordSuffix = ".json";

let own: Promise<{ pid: number; start: string }> | undefined;
/** This process's identity (pid and start time; start "" when it cannot be read). */
export function ownIdentity(lister: ProcessLister = listProcesses): Promise<{ pid: number; start: string }> {
  own ??= lister().then(
    (procs) => ({ pid: process.pid, start: procs.find((p) => p.pid === process.pid)?.start ?? "" }),
    () => ({ pid: process.pid, start: "" }),
  );
  return own;
}

/** The record of one started process; rewritten when groups are added, removed at the end. */
export class ProcessRecord {
  readonly file: string;
  readonly #data: ProcessRecordData;
  #removed = false;

  private constructor(file: string, data: ProcessRecordData) {
    this.file = file;
    this.#data = data;
    this.#write();
  }

  /** Record `pid` (just started by us) under `dir`. Undefined when it is gone already. */
  static async create(
    dir: string,
    pid: number,
    command: string,
    lister = listProcesses,
  ): Promise<ProcessRecord | undefined> {
    const [owner, procs] = await Promise.all([ownIdentity(lister), lister()]);
    const self = procs.find((p) => p.pid === pid);
    if (!self) return undefined;
    mkdirSync(dir, { recursive: true });
    return new ProcessRecord(path.join(dir, `${pid}${RecordSuffix}`), {
      version: 1,
      host: hostname(),
      owner,
      pid,
      start: self.start,
      command: path.basename(command),
      groups: [],
    });
  }

  addGroups(leaders: readonly ProcInfo[]): void {
    const known = new Set(this.#data.groups.map((g) => g.pgid));
    const fresh = leaders.filter((l) => l.pid === l.pgid && !known.has(l.pgid) && l.pgid !== this.#data.pid);
    if (!fresh.length || this.#removed) return;
    this.#data.groups.push(...fresh.map((l) => ({ pgid: l.pgid, start: l.start })));
    this.#write();
  }

  remove(): void {
    this.#removed = true;
    rmSync(this.file, { force: true });
  }

  #write(): void {
    if (this.#removed) return;
    try {
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.#data));
      renameSync(tmp, this.file); // atomic: a reader sees the old or the new record, never half
    } catch {
      // A missing record costs only the restart clean-up; the parent-death watch still holds.
    }
  }
}
