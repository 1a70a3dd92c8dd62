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
 * of those groups and every process of the tree (the CLI need not lead a group in a pod). Descendants are found by walking /proc (no `ps` needed). Only the
 * `kill -s SIG -- -PGID` form works in dash, bash and busybox alike.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not template literals
export const StopScript = [
  'root=$1; stage=$2; tree=" $root "; changed=1',
  'while [ "$changed" = 1 ]; do',
  "  changed=0",
  "  for f in /proc/[0-9]*/stat; do",
  '    line=; read -r line < "$f" 2>/dev/null; [ -n "$line" ] || continue',
  "    p=${line%% *}; rest=${line##*) }",
  "    set -- $rest",
  '    case "$tree" in *" $p "*) continue ;; esac',
  '    case "$tree" in *" $2 "*) tree="$tree$p "; changed=1 ;; esac',
  "  done",
  "done",
  "groups=''",
  "for p in $tree; do",
  '  line=; read -r line < "/proc/$p/stat" 2>/dev/null; [ -n "$line" ] || continue',
  "  rest=${line##*) }; set -- $rest",
  '  case "$tree" in *" $3 "*) case " $groups " in *" $3 "*) ;; *) groups="$groups $3" ;; esac ;; esac',
  "done",
  'case "$stage" in',
  '  interrupt) kill -s INT "$root" 2>/dev/null ;;',
  '  terminate) kill -s TERM "$root" 2>/dev/null; for g in $groups; do [ "$g" = "$root" ] || kill -s TERM -- "-$g" 2>/dev/null; done ;;',
  '  *) for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done; for p in $tree; do kill -s KILL "$p" 2>/dev/null; done ;;',
  "esac",
  "exit 0",
].join("\n");
