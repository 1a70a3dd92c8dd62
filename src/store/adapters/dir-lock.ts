import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { messageOf } from "../../errors.js";
import { ErrDataDirLocked, ErrDataDirNotWritable } from "../errors.js";

export const LockFileName = "codethread.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Take an exclusive lock on a data directory for this process (PGlite has no lock of its
 * own: two processes would corrupt it). The lock file holds the pid and host; a lock left
 * by a dead process on this host is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new ErrDataDirNotWritable(dataDir, messageOf(err));
  }
  const file = path.join(dataDir, LockFileName);
  const me = `${process.pid}\n${hostname()}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, me);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw new ErrDataDirNotWritable(dataDir, messageOf(err));
    }
    let pid = 0;
    let host = "";
    try {
      [pid = 0, host = ""] = readFileSync(file, "utf8")
        .split("\n")
        .map((s, i) => (i === 0 ? Number(s) : s)) as [number, string];
    } catch {
      continue; // removed between our open and read: try again
    }
    if (host === hostname() && (!pid || !alive(pid))) {
      rmSync(file, { force: true }); // stale: its process is gone
      continue;
    }
    throw new ErrDataDirLocked(dataDir, pid, host || "an unknown host");
  }
  throw new ErrDataDirNotWritable(dataDir, "the lock file kept changing; is another process starting?");
}

/** Lock a data directory (see lockDataDir) and check that it can be written; returns the release function. */
export function lockWritableDataDir(dataDir: string): () => void {
  const release = lockDataDir(dataDir);
  try {
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    release();
    throw new ErrDataDirNotWritable(dataDir, messageOf(err));
  }
  return release;
}
