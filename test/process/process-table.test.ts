import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StopScript } from "../../src/agents/claude/remote-scripts.js";
import {
  createProcessLister,
  groupLeaders,
  listFromProc,
  type ProcInfo,
  parseProcStat,
  parsePsOutput,
  processTree,
} from "../../src/process/process-table.js";
import { eventually, processesMentioning } from "../claude/processes.js";

const root = mkdtempSync(path.join(tmpdir(), "ct-proctable-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const noProc = path.join(root, "no-proc"); // a /proc that does not exist, as on macOS

/** `sh` with two `sleep SECS` (one in its own session, like the Bash tool), ignoring INT and TERM. */
function toolTree(secs: string) {
  const child = spawn("sh", ["-c", `trap '' INT TERM; setsid sleep ${secs} & sleep ${secs} & wait`], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  const sleeps = () => processesMentioning(`sleep ${secs}`).filter((l) => /^\d+: sleep /.test(l));
  const cleanup = () => {
    for (const line of processesMentioning(`sleep ${secs}`)) process.kill(Number(line.split(":")[0]), "SIGKILL");
  };
  return { pid: child.pid as number, sleeps, cleanup };
}
const uniqueSecs = () => String(7_000 + Math.floor(Math.random() * 90_000));

describe("the process table without /proc (macOS): ps", () => {
  it("parses ps -A -o pid=,ppid=,pgid=,lstart= output, start times with their spaces, skipping junk", () => {
    const text = [
      "    1     0     1 Mon Jan  6 09:12:44 2025",
      "  412     1   412 Mon Jan  6 09:13:02 2025  ",
      " 9001   412  9001 Tue Feb 11 18:00:00 2025",
      "PID PPID PGID STARTED",
      "",
      "  77    1",
    ].join("\n");
    expect(parsePsOutput(text)).toEqual([
      { pid: 1, ppid: 0, pgid: 1, start: "Mon Jan 6 09:12:44 2025" },
      { pid: 412, ppid: 1, pgid: 412, start: "Mon Jan 6 09:13:02 2025" },
      { pid: 9001, ppid: 412, pgid: 9001, start: "Tue Feb 11 18:00:00 2025" },
    ]);
  });

  it("falls back to ps (argv only) when /proc is absent", async () => {
    const argsFile = path.join(root, "ps-args");
    const fakePs = path.join(root, "fake-ps");
    writeFileSync(
      fakePs,
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\necho '  10     1    10 Mon Jan  6 09:12:44 2025'\necho '  11    10    11 Mon Jan  6 09:12:45 2025'\n`,
    );
    chmodSync(fakePs, 0o755);
    const procs = await createProcessLister({ procRoot: noProc, psBin: fakePs })();
    expect(procs.map((p) => p.pid)).toEqual([10, 11]);
    expect(readFileSync(argsFile, "utf8").trim().split("\n")).toEqual(["-A", "-o", "pid=,ppid=,pgid=,lstart="]);
    expect(await createProcessLister({ procRoot: noProc, psBin: path.join(root, "no-ps") })()).toEqual([]);
  });

  it("the real ps finds the same tree and groups as /proc", async () => {
    const t = toolTree(uniqueSecs());
    try {
      expect(await eventually(() => t.sleeps().length === 2)).toBe(true);
      const viaPs = processTree(t.pid, await createProcessLister({ procRoot: noProc })());
      const viaProc = processTree(t.pid, (await listFromProc()) ?? []);
      const shape = (tree: ProcInfo[]) => ({
        pids: tree.map((p) => p.pid).sort(),
        leaders: groupLeaders(tree)
          .map((p) => p.pid)
          .sort(),
      });
      expect(viaPs).toHaveLength(3);
      expect(shape(viaPs)).toEqual(shape(viaProc));
      expect(groupLeaders(viaPs)).toHaveLength(2); // sh's own group and the setsid tool's
    } finally {
      t.cleanup();
    }
  });

  it("the shell tree walk (watchdog, pods) takes the ps path too and still kills every group", async () => {
    const t = toolTree(uniqueSecs());
    try {
      expect(await eventually(() => t.sleeps().length === 2)).toBe(true);
      spawnSync("sh", ["-c", StopScript, "stop", String(t.pid), "kill"], {
        env: { ...process.env, CT_PROC_ROOT: noProc },
      });
      expect(await eventually(() => t.sleeps().length === 0)).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});

describe("the process table on Linux", () => {
  it("reads /proc/PID/stat even when the command name has spaces and parentheses", () => {
    const line = "4242 (my (odd) cmd) S 17 4242 17 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 17, pgid: 4242, start: "987654" });
    expect(parseProcStat("garbage")).toBeUndefined();
  });

  it("a tree is its root and descendants; only groups led inside it count", () => {
    const procs: ProcInfo[] = [
      { pid: 100, ppid: 1, pgid: 50, start: "a" }, // root, in a group led from outside
      { pid: 101, ppid: 100, pgid: 101, start: "b" }, // a tool in its own group
      { pid: 102, ppid: 101, pgid: 101, start: "c" },
      { pid: 200, ppid: 1, pgid: 200, start: "d" }, // unrelated
    ];
    expect(processTree(100, procs).map((p) => p.pid)).toEqual([100, 101, 102]);
    expect(groupLeaders(processTree(100, procs)).map((p) => p.pid)).toEqual([101]);
    expect(processTree(999, procs)).toEqual([]);
  });
});
