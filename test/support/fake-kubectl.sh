#!/usr/bin/env bash
# Stand-in for `kubectl` in tests: records each call's argv (NUL-separated, one file per call, in
# $FAKE_KUBECTL_DIR) and runs the command after `--` locally, as `kubectl exec` would in the pod.
# With FAKE_KUBECTL_FAIL set, prints it on stderr and exits 1 (an unreachable pod). With
# FAKE_KUBECTL_STDIN_LINES=N, only the first N lines of stdin reach the command; the rest is
# swallowed while stdin stays open (an exec stream that stalls).
# Expected shape: kubectl [--context C] exec [-i] -n NS POD [-c CONTAINER] -- COMMAND...
# or a lookup, kubectl [--context C] get pods … (prints $FAKE_KUBECTL_GET).
set -u
dir="${FAKE_KUBECTL_DIR:?FAKE_KUBECTL_DIR must be set}"
record="$(mktemp "$dir/call.XXXXXXXX")"
printf '%s\0' "$@" > "$record"
if [ -n "${FAKE_KUBECTL_FAIL:-}" ]; then echo "$FAKE_KUBECTL_FAIL" >&2; exit 1; fi
# `kubectl … get …` (a pod lookup): print FAKE_KUBECTL_GET, as the jsonpath output would be.
for arg in "$@"; do
  [ "$arg" = "--" ] && break
  if [ "$arg" = "get" ]; then printf '%s' "${FAKE_KUBECTL_GET:-}"; exit 0; fi
done
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
if [ $# -eq 0 ]; then echo "fake kubectl: no -- in argv" >&2; exit 2; fi
shift
if [ -n "${FAKE_KUBECTL_STDIN_LINES:-}" ]; then
  { head -n "$FAKE_KUBECTL_STDIN_LINES"; cat >/dev/null; } | "$@"
  exit $?
fi
exec "$@"
