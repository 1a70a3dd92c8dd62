import { type ChildProcess, spawn } from "node:child_process";
import { childEnv } from "./env.js";
import { TreeFunctions } from "./tree-script.js";

/** How long the watchdog waits after SIGTERM before SIGKILL, in whole seconds (POSIX `sleep`). */
export const DefaultWatchdogGraceSeconds = 5;

/**
 * `sh -c WATCHDOG codethread-watchdog ROOT GRACE`. Its stdin is a pipe from the bot, and only
 * the bot holds the write end (node opens pipes close-on-exec, so no other child inherits it).
 * The bot writes the process groups it finds in the agent's tree, one per line, and `quit` when
 * the agent ended normally. End of input without `quit` means the bot is gone — killed, crashed,
 * whatever the reason: the watchdog then walks the tree once more, sends SIGTERM to every group
 * and process of it, waits up to GRACE seconds and SIGKILLs what is left. Either way it exits:
 * it never outlives the agent.
 */
export const WatchdogScript = [
  TreeFunctions,
  'root=$1; grace=$2; known=""',
  "while read -r line; do",
  '  case "$line" in',
  "    quit) exit 0 ;;",
  "    ''|*[!0-9]*) ;;",
  '    *) known="$known $line" ;;',
  "  esac",
  "done",
  'ct_tree "$root"; members=$tree; all="$groups $known"',
  'for g in $all; do kill -s TERM -- "-$g" 2>/dev/null; done',
  'for p in $members; do kill -s TERM "$p" 2>/dev/null; done',
  "i=0",
  'while [ "$i" -lt "$grace" ]; do',
  "  alive=''",
  '  for g in $all; do kill -s 0 -- "-$g" 2>/dev/null && alive=1; done',
  '  for p in $members; do kill -s 0 "$p" 2>/dev/null && alive=1; done',
  '  [ -n "$alive" ] || exit 0',
  "  sleep 1; i=$((i + 1))",
  "done",
  'ct_tree "$root"',
  'for g in $all $groups; do kill -s KILL -- "-$g" 2>/dev/null; done',
  'for p in $members $tree; do kill -s KILL "$p" 2>/dev/null; done',
  "exit 0",
].join("\n");

/** The bot's end of one watchdog. */
export interface ParentWatch {
  /** The watchdog's pid (undefined if it could not start). */
  readonly pid: number | undefined;
  /** Groups led inside the agent's tree (tools); the watchdog also finds them itself at the end. */
  track(pgids: Iterable<number>): void;
  /** The agent ended normally: let the watchdog exit without killing anything. */
  release(): void;
}

/**
 * Starts a watchdog for the process tree rooted at `root`: if this process dies, the tree dies
 * too. The watchdog is the leader of its own session (a Ctrl-C or a kill of our process group
 * does not reach it) and never keeps our event loop alive.
 */
export function watchParentDeath(root: number, graceSeconds = DefaultWatchdogGraceSeconds): ParentWatch {
  let child: ChildProcess;
  try {
    child = spawn("sh", ["-c", WatchdogScript, "codethread-watchdog", String(root), String(graceSeconds)], {
      env: childEnv(),
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
      shell: false,
    });
  } catch {
    return { pid: undefined, track: () => {}, release: () => {} };
  }
  child.once("error", () => {});
  child.unref();
  const stdin = child.stdin;
  stdin?.on("error", () => {}); // the watchdog is gone: nothing to tell it any more
  (stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const sent = new Set<number>();
  let released = false;
  return {
    pid: child.pid,
    track(pgids) {
      if (released || !stdin) return;
      const fresh = [...pgids].filter((g) => Number.isInteger(g) && g > 1 && !sent.has(g));
      for (const g of fresh) sent.add(g);
      if (fresh.length) stdin.write(`${fresh.join("\n")}\n`);
    },
    release() {
      if (released) return;
      released = true;
      stdin?.end("quit\n");
    },
  };
}
