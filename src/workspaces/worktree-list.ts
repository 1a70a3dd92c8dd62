import type { GitRunner } from "./git.js";

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  path: string;
  head?: string;
  /** Full ref (`refs/heads/…`); absent when detached or bare. */
  branch?: string;
  bare: boolean;
  detached: boolean;
  /** `git worktree lock` was used (by a person, or a run in progress): never removed. */
  locked: boolean;
  /** Its directory is gone; `git worktree prune` would drop the entry. */
  prunable: boolean;
}

/** Parse `git worktree list --porcelain -z`: NUL-ended lines, records ended by an empty line. */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const line of text.split("\0")) {
    if (line === "") {
      if (current) entries.push(current);
      current = undefined;
      continue;
    }
    const space = line.indexOf(" ");
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? "" : line.slice(space + 1);
    if (key === "worktree") {
      if (current) entries.push(current);
      current = { path: value, bare: false, detached: false, locked: false, prunable: false };
    } else if (current) {
      if (key === "HEAD") current.head = value;
      else if (key === "branch") current.branch = value;
      else if (key === "bare") current.bare = true;
      else if (key === "detached") current.detached = true;
      else if (key === "locked") current.locked = true;
      else if (key === "prunable") current.prunable = true;
    }
  }
  if (current) entries.push(current);
  return entries;
}

/** The repository's worktrees (its own checkout first, unless it is bare). */
export async function listWorktrees(git: GitRunner, repoDir: string): Promise<WorktreeEntry[]> {
  return parseWorktreeList(await git.text(["worktree", "list", "--porcelain", "-z"], { cwd: repoDir }));
}
