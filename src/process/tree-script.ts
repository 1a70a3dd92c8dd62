/**
 * POSIX sh functions that find a process tree without node: used by the parent-death watchdog
 * (the bot is gone by then) and inside pods (`kubectl exec`, no node there). Linux: /proc;
 * elsewhere (macOS): `ps -A -o pid=,ppid=,pgid=`. Tested through their users; tests set
 * CT_PROC_ROOT to a missing directory to take the `ps` path on Linux.
 *
 * `ct_tree ROOT` sets `tree` (" pid pid … ", ROOT and its descendants) and `groups` (the
 * process groups led by a member of the tree). The process table is read once per call.
 */
export const TreeFunctions = [
  "ct_table() {",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
  "  ct_proc=${CT_PROC_ROOT:-/proc}",
  '  if [ -r "$ct_proc/self/stat" ]; then',
  '    for f in "$ct_proc"/[0-9]*/stat; do',
  '      line=; read -r line < "$f" 2>/dev/null; [ -n "$line" ] || continue',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
  "      rest=${line##*) }; set -- $rest",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
  '      echo "${line%% *} $2 $3"',
  "    done",
  "  else",
  "    LC_ALL=C ps -A -o pid=,ppid=,pgid= 2>/dev/null",
  "  fi",
  "}",
  "ct_tree() {",
  '  ct_t=$(ct_table); tree=" $1 "; ct_changed=1',
  '  while [ "$ct_changed" = 1 ]; do',
  "    ct_changed=0",
  "    while read -r ct_p ct_pp ct_g; do",
  '      case "$tree" in *" $ct_p "*) continue ;; esac',
  '      case "$tree" in *" $ct_pp "*) tree="$tree$ct_p "; ct_changed=1 ;; esac',
  "    done <<CT_EOF",
  "$ct_t",
  "CT_EOF",
  "  done",
  "  groups=''",
  "  while read -r ct_p ct_pp ct_g; do",
  '    case "$tree" in *" $ct_p "*) [ "$ct_p" = "$ct_g" ] && [ "$ct_g" -gt 1 ] && groups="$groups $ct_g" ;; esac',
  "  done <<CT_EOF",
  "$ct_t",
  "CT_EOF",
  "}",
].join("\n");
