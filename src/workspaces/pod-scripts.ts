/**
 * The fixed shell programs `kubectl exec` runs in a project's pod. Nothing is ever spliced into
 * them: every value (paths, branch, URL) arrives as a positional argument (`sh -c SCRIPT NAME
 * ARG…`), and a token only on stdin. Each sets the same git environment as git.ts: no system or
 * global config, no prompts, no hooks, no fsmonitor, no credential helpers, waits for ref locks.
 */

const GitPrelude = `set -eu
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_ATTR_NOSYSTEM=1 LC_MESSAGES=C
unset LC_ALL LANGUAGE || true
g() { git -c core.hooksPath=/dev/null -c core.fsmonitor=false -c credential.helper= -c protocol.ext.allow=never -c core.filesRefLockTimeout=10000 -c core.packedRefsTimeout=10000 -c http.followRedirects=false "$@"; }
`;

/**
 * `sh -c SyncScript codethread-sync URL REPO` with the Authorization header line (or an empty
 * line) on stdin: make the bare repository REPO if missing, fetch every branch of URL into
 * refs/remotes/origin/*, point origin/HEAD and HEAD at URL's default branch; prints that branch.
 * The header lives only in this process's environment, never in argv or a file.
 */
export const SyncScript = `${GitPrelude}url="$1"; repo="$2"
header=""; IFS= read -r header || true
if [ -n "$header" ]; then export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$url.extraHeader" GIT_CONFIG_VALUE_0="$header"; fi
[ -f "$repo/HEAD" ] || { mkdir -p "$repo"; g init --bare -q "$repo"; }
g -C "$repo" config remote.origin.url "$url"
head=$(g -C "$repo" ls-remote --symref "$url" HEAD | awk '$1 == "ref:" && $3 == "HEAD" { sub("^refs/heads/", "", $2); print $2 }')
g -C "$repo" fetch --no-tags --prune -q "$url" '+refs/heads/*:refs/remotes/origin/*'
if [ -n "$head" ]; then
  g -C "$repo" symbolic-ref refs/remotes/origin/HEAD "refs/remotes/origin/$head"
  g -C "$repo" symbolic-ref HEAD "refs/heads/$head"
fi
printf '%s\\n' "$head"
`;

/**
 * `sh -c WorktreeScript codethread-worktree REPO DIR BRANCH BASE`: the thread's worktree DIR on
 * BRANCH, made from origin/BASE (else BASE) the first time, from BRANCH when it exists already,
 * reused when it is there. Prints DIR. A concurrent creation of the same worktree (another
 * replica) counts as success.
 */
export const WorktreeScript = `${GitPrelude}repo="$1"; dir="$2"; branch="$3"; base="$4"
ready() { [ -e "$dir/.git" ] && [ "$(g -C "$dir" symbolic-ref -q --short HEAD 2>/dev/null)" = "$branch" ]; }
if ready; then printf '%s\\n' "$dir"; exit 0; fi
g -C "$repo" worktree prune
mkdir -p "$(dirname "$dir")"
if g -C "$repo" show-ref --verify --quiet "refs/heads/$branch"; then
  g -C "$repo" worktree add "$dir" "$branch" >&2 || ready
else
  start="refs/heads/$base"
  if g -C "$repo" rev-parse --verify -q "refs/remotes/origin/$base^{commit}" >/dev/null; then start="refs/remotes/origin/$base"; fi
  g -C "$repo" worktree add --no-track -b "$branch" "$dir" "$start" >&2 || ready
fi
printf '%s\\n' "$dir"
`;

/** `sh -c RemoveWorktreeScript codethread-remove REPO DIR`: remove the worktree (its branch stays). */
export const RemoveWorktreeScript = `${GitPrelude}repo="$1"; dir="$2"
if [ -e "$dir" ]; then g -C "$repo" worktree remove --force "$dir"; fi
g -C "$repo" worktree prune
`;
