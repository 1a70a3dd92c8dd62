/**
 * The spawn helper: a small, long-lived Node process that starts the bot's agent processes, so the
 * bot's event loop never waits on a fork. Node 20's spawn forks the calling process (the ~190 MB bot)
 * and blocks until the child has called `exec`; with twenty agents starting on two cores that held the
 * loop acknowledging Slack for 0.1–0.4 s (docs/BENCHMARKS.md, "Embedded default"). Forking this
 * process instead is cheap, and its loop waiting matters to no one.
 *
 * It imports nothing but Node's own modules and decides nothing: the bot (spawn-helper.ts) sends
 * each process's argv, environment (already filtered by `childEnv`) and watchdog; this program
 * starts it, relays its output as bytes (paused and resumed on the bot's word, so what is in flight
 * is bounded by a pipe's buffer plus a few chunks), writes its stdin, signals it and reports its exit.
 * It holds the write end of every agent's parent-death watchdog (src/process/watchdog.ts) and exits
 * when its IPC channel closes — the bot is gone — so the watchdogs see end of input and stop the
 * agents' trees, exactly as when the bot held them. It ignores SIGINT, SIGTERM and SIGHUP (it leads
 * its own session anyway): a Ctrl-C or a `kill` meant for the bot must not end the agents before the
 * bot's own graceful stop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { lowerPriority } from "../priority.js";
import { type ParentWatch, watchParentDeath } from "../watchdog.js";
import type { HelperReply, HelperRequest, SpawnRequest } from "./protocol.js";

interface Entry {
  child: ChildProcess;
  watch?: ParentWatch;
}

const entries = new Map<number, Entry>();

function reply(message: HelperReply): void {
  if (process.connected) process.send?.(message);
}

function errorOf(err: unknown): { code?: string; message: string } {
  const e = err as NodeJS.ErrnoException;
  return { code: typeof e?.code === "string" ? e.code : undefined, message: e?.message ?? String(err) };
}

function start(m: SpawnRequest): void {
  let child: ChildProcess;
  try {
    child = spawn(m.bin, m.args, {
      cwd: m.cwd,
      env: m.env,
      stdio: [m.stdin, m.stdout, m.stderr],
      detached: m.detached,
      shell: false,
    });
  } catch (err) {
    reply({ t: "exit", id: m.id, code: null, signal: null, error: errorOf(err) });
    return;
  }
  const entry: Entry = { child };
  entries.set(m.id, entry);
  const pid = child.pid;
  let spawnError: { code?: string; message: string } | undefined;
  child.once("error", (err) => {
    spawnError = errorOf(err);
    if (child.pid === undefined) {
      entries.delete(m.id);
      reply({ t: "exit", id: m.id, code: null, signal: null, error: spawnError });
    }
  });
  if (pid !== undefined) {
    if (m.niceness) lowerPriority(pid, m.niceness, m.detached);
    // The watchdog of spawn.ts, started here: this process holds its input, and exits with the bot.
    if (m.dieWithParent) {
      entry.watch = watchParentDeath(pid);
      if (m.detached) entry.watch.track([pid]);
    }
    reply({ t: "spawned", id: m.id, pid });
  }
  const relay = (fd: 1 | 2, stream: Readable | null) => {
    stream?.on("data", (data: Buffer) => reply({ t: "data", id: m.id, fd, data }));
    stream?.once("end", () => reply({ t: "end", id: m.id, fd }));
  };
  relay(1, child.stdout);
  relay(2, child.stderr);
  child.stdin?.on("error", () => {}); // EPIPE when the child exits first
  // "exit", not "close": a background tool holding stdout open must not hide the exit.
  child.once("exit", (code, signal) => {
    entry.watch?.release();
    reply({ t: "exit", id: m.id, code, signal, error: spawnError });
  });
  child.once("close", () => entries.delete(m.id));
}

function handle(m: HelperRequest): void {
  if (m.t === "spawn") {
    start(m);
    return;
  }
  const entry = entries.get(m.id);
  switch (m.t) {
    case "stdin": {
      const stdin = entry?.child.stdin;
      if (!stdin || stdin.destroyed) {
        reply({ t: "written", id: m.id, seq: m.seq, error: "stdin is closed" });
        return;
      }
      stdin.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), (err) =>
        reply({ t: "written", id: m.id, seq: m.seq, error: err ? err.message : undefined }),
      );
      return;
    }
    case "stdin-end":
      entry?.child.stdin?.end();
      return;
    case "kill":
      entry?.child.kill(m.signal);
      return;
    case "track":
      entry?.watch?.track(m.pgids);
      return;
    case "pause":
    case "resume": {
      const stream = m.fd === 1 ? entry?.child.stdout : entry?.child.stderr;
      if (m.t === "pause") stream?.pause();
      else stream?.resume();
      return;
    }
  }
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});
process.on("message", (m) => handle(m as HelperRequest));
process.on("disconnect", () => process.exit(0));
if (!process.connected) process.exit(0);
