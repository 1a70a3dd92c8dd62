import { createHash } from "node:crypto";

/** Every thread branch starts with this; nothing else the bot pushes does. */
export const ThreadBranchPrefix = "codethread/";

/**
 * The thread's short id: 12 hex digits of SHA-256 of its thread key (`team:channel:ts`). Safe by
 * construction as a directory name, a branch name and a kubectl argument, whatever the key holds,
 * and unique in practice (48 bits: a collision among a million threads has odds below 1 in 500;
 * thread-worktrees.ts still refuses a worktree recorded for another thread).
 */
export function shortThreadId(threadKey: string): string {
  return createHash("sha256").update(threadKey).digest("hex").slice(0, 12);
}

/** `codethread/<short thread id>`: the thread's branch, locally and on the forge. */
export function threadBranch(threadKey: string): string {
  return `${ThreadBranchPrefix}${shortThreadId(threadKey)}`;
}
