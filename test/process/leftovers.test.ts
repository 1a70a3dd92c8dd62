import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { killLeftovers } from "../../src/process/leftovers.js";
import { createProcessLister, listProcesses, type ProcessLister } from "../../src/process/process-table.js";
import { ownIdentity, type ProcessRecordData, ProcessRecordSchema } from "../../src/process/records.js";
import { eventually, processesMentioning } from "../claude/processes.js";

/**
 * A restarted bot stops what its crashed predecessor left running from its data directory, and
 * nothing else: not a pid that now belongs to another process, not the runs of a live replica.
 */
const root = mkdtempSync(path.join(tmpdir(), "ct-leftovers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const c of spawned.splice(0)) c.kill("SIGKILL");
});
let n = 0;
const freshDir = () => {
  const dir = path.join(root, `d${++n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const uniqueSecs = () => String(7_000 + Math.floor(Math.random() * 90_000));
const sleeps = (secs: string) => processesMentioning(`sleep ${secs}`);
const killAll = (secs: string) => {
  for (const line of sleeps(secs)) process.kill(Number(line.split(":")[0]), "SIGKILL");
};

/** The crashed bot: an owner process that started a tool-like tree (no watchdog) and got kill -9. */
async function crashedOwnerLeaving(secs: string, dir: string): Promise<void> {
  const owner = spawn(process.execPath, ["--import", "tsx", "test/support/agent-owner.ts", "tree", secs, dir, "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  spawned.push(owner);
  await new Promise<void>((resolve, reject) => {
    owner.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    owner.once("exit", (code) => reject(new Error(`owner exited with ${code}`)));
  });
  const exited = new Promise((r) => owner.once("exit", r));
  owner.kill("SIGKILL");
  await exited;
}

/** Rewrite a record's start times as a machine whose only lister is `lister` (macOS: ps) would have. */
async function asWrittenBy(lister: ProcessLister, dir: string): Promise<void> {
  const procs = await lister();
  const startOf = (pid: number) => procs.find((p) => p.pid === pid)?.start ?? "";
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const r = ProcessRecordSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    r.start = startOf(r.pid);
    r.groups = r.groups.map((g) => ({ ...g, start: startOf(g.pgid) }));
    writeFileSync(file, JSON.stringify(r));
  }
}

/** A live process of ours that a stale record might point at. */
function bystander(secs: string): ChildProcess {
  const child = spawn("sleep", [secs], { stdio: "ignore" });
  spawned.push(child);
  return child;
}

function writeRecord(dir: string, data: Partial<ProcessRecordData> & { pid: number }): string {
  const file = path.join(dir, `${data.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      host: hostname(),
      owner: { pid: 999_999, start: "owner-gone" },
      start: "",
      command: "claude",
      groups: [],
      ...data,
    }),
  );
  return file;
}

describe("killLeftovers", () => {
  for (const [name, lister] of [
    ["/proc", listProcesses],
    ["ps (no /proc)", createProcessLister({ procRoot: path.join(root, "no-proc") })],
  ] as const) {
    it(`stops the tree a crashed bot left, every group of it, and removes its record (${name})`, async () => {
      const secs = uniqueSecs();
      const dir = freshDir();
      try {
        await crashedOwnerLeaving(secs, dir);
        expect(sleeps(secs).length).toBe(3); // sh and both sleeps outlived their bot
        expect(readdirSync(dir)).toHaveLength(1);
        if (lister !== listProcesses) await asWrittenBy(lister, dir);
        const report = await killLeftovers(dir, { lister, graceMs: 500 });
        expect(report).toEqual({ records: 1, stopped: 3 });
        expect(await eventually(() => sleeps(secs).length === 0)).toBe(true);
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        killAll(secs);
      }
    });
  }

  it("never kills a reused pid: a record whose start time does not match is dropped, the process lives", async () => {
    const dir = freshDir();
    const secs = uniqueSecs();
    const other = bystander(secs);
    expect(await eventually(() => sleeps(secs).length === 1)).toBe(true);
    writeRecord(dir, { pid: other.pid as number, start: "some-earlier-process" });
    expect(await killLeftovers(dir, { graceMs: 200 })).toEqual({ records: 1, stopped: 0 });
    expect(sleeps(secs)).toHaveLength(1);
    expect(other.exitCode).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("leaves the runs of a bot that is still alive alone (another replica on the same data dir)", async () => {
    const dir = freshDir();
    const secs = uniqueSecs();
    const running = bystander(secs);
    expect(await eventually(() => sleeps(secs).length === 1)).toBe(true);
    const start = (await listProcesses()).find((p) => p.pid === running.pid)?.start ?? "";
    writeRecord(dir, { pid: running.pid as number, start, owner: await ownIdentity() });
    expect(await killLeftovers(dir, { graceMs: 200 })).toEqual({ records: 0, stopped: 0 });
    expect(sleeps(secs)).toHaveLength(1);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it("skips records from another host and removes unreadable ones", async () => {
    const dir = freshDir();
    const secs = uniqueSecs();
    const running = bystander(secs);
    expect(await eventually(() => sleeps(secs).length === 1)).toBe(true);
    const start = (await listProcesses()).find((p) => p.pid === running.pid)?.start ?? "";
    writeRecord(dir, { pid: running.pid as number, start, host: `not-${hostname()}` });
    writeFileSync(path.join(dir, "1.json"), "{ not json");
    expect(await killLeftovers(dir, { graceMs: 200 })).toEqual({ records: 0, stopped: 0 });
    expect(sleeps(secs)).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([`${running.pid}.json`]);
  });

  it("a missing directory is nothing to do", async () => {
    expect(await killLeftovers(path.join(root, "never-created"))).toEqual({ records: 0, stopped: 0 });
  });
});
