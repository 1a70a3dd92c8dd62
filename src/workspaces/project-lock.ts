import { realpathSync } from "node:fs";
import path from "node:path";
import { Mutex } from "../store/adapters/mutex.js";

/**
 * One FIFO lock per project repository in this process: creating, removing and pruning
 * worktrees of one repository happen one at a time (git's own ref locks, waited on with the
 * timeouts git.ts sets, cover two processes). Keyed by the repository's real path, so two
 * spellings of one directory share a lock, or by any other key (`pod:<namespace>/<project>`).
 * One entry per project ever used: a handful.
 */
const locks = new Map<string, Mutex>();

export function withProjectLock<T>(repoDirOrKey: string, fn: () => Promise<T>): Promise<T> {
  let key = repoDirOrKey;
  if (path.isAbsolute(repoDirOrKey)) {
    try {
      key = realpathSync(repoDirOrKey);
    } catch {
      key = path.resolve(repoDirOrKey);
    }
  }
  let lock = locks.get(key);
  if (!lock) {
    lock = new Mutex();
    locks.set(key, lock);
  }
  return lock.run(fn);
}
