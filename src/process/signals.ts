/** Signal one process; false when it is gone (or not ours to signal). */
export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signal a whole process group; false when the group is gone. Never call it with our own group. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (pgid <= 1) return false;
  return signalProcess(-pgid, signal);
}

/** True while some process of group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}
