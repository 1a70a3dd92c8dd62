import { TreeFunctions } from "../../process/tree-script.js";

/**
 * Fixed POSIX sh scripts run in the pod through `kubectl exec … -- sh -c SCRIPT name ARGS…`.
 * User text only ever arrives as positional arguments ("$@"), never inside the script.
 */

/** Marker line on stderr carrying the remote process id. */
export const PidMarker = "codethread-remote-pid";

/**
 * `sh -c LAUNCH codethread-launch DIR CONFIG_DIR env K=V… claude ARGS…`: report the pid, enter the
 * workspace, create the config dir, then exec — the CLI keeps the reported pid.
 */
export const LaunchScript = [
  `echo "${PidMarker} $$" >&2`,
  'cd -- "$1" || exit 96',
  '[ -n "$2" ] && mkdir -p -- "$2"',
  "shift 2",
  'exec "$@"',
].join("\n");

/**
 * `sh -c STOP codethread-stop PID STAGE`: `interrupt` sends SIGINT to PID; `terminate` sends
 * SIGTERM to PID and to every process group led by one of its descendants; `kill` SIGKILLs all
 * of those groups and every process of the tree (the CLI need not lead a group in a pod).
 * Descendants are found by the shared tree walk (/proc, else `ps`). Only the
 * `kill -s SIG -- -PGID` form works in dash, bash and busybox alike.
 */
export const StopScript = [
  TreeFunctions,
  'root=$1; stage=$2; ct_tree "$root"',
  'case "$stage" in',
  '  interrupt) kill -s INT "$root" 2>/dev/null ;;',
  '  terminate) kill -s TERM "$root" 2>/dev/null; for g in $groups; do [ "$g" = "$root" ] || kill -s TERM -- "-$g" 2>/dev/null; done ;;',
  '  *) for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done; for p in $tree; do kill -s KILL "$p" 2>/dev/null; done ;;',
  "esac",
  "exit 0",
].join("\n");
