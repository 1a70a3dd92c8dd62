import type { ChildProcess } from "node:child_process";

/** How a child ended: its code or signal, or why it never started. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started. */
  error?: { code?: string; message: string };
}

/** A ChildProcess's end as a promise (spawn errors included), never a throw. */
export function watchExit(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    let spawnError: ProcessExit["error"];
    child.once("error", (err: NodeJS.ErrnoException) => {
      spawnError = { code: err.code, message: err.message };
      if (child.pid === undefined) resolve({ code: null, signal: null, error: spawnError });
    });
    // "exit", not "close": a background tool holding stdout open must not hide the exit.
    child.once("exit", (code, signal) => resolve({ code, signal, error: spawnError }));
  });
}
