import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { GitRunner } from "./git.js";

/**
 * What a run changed in a worktree: tracked edits, deletions, renames and **untracked files**
 * (which `git diff` alone never shows), read without touching the worktree's index — git runs on
 * a throwaway copy of it where untracked files are marked intent-to-add (no blobs written).
 */

export type FileStatus = "added" | "modified" | "deleted" | "renamed" | "copied" | "type_changed";

export interface ChangedFile {
  path: string;
  /** Where a renamed or copied file came from. */
  oldPath?: string;
  status: FileStatus;
  /** Lines; 0 for binary files. */
  insertions: number;
  deletions: number;
  binary: boolean;
}

export type WorktreeChanges =
  | { kind: "none" }
  | {
      kind: "changed";
      /** The first `MaxListedFiles` files, in git's order. */
      files: ChangedFile[];
      fileCount: number;
      insertions: number;
      deletions: number;
      /** `git diff --stat`, cut to fit a Slack message (`statMaxLines`, `statMaxChars`). */
      stat: string;
      statTruncated: boolean;
      /** The whole stat text, for a file attachment, when `stat` had to be cut. */
      fullStat?: string;
    };

export interface ChangesOptions {
  /** Compare with this commit-ish's merge base with HEAD (the whole branch); default: HEAD (the uncommitted part). */
  since?: string;
  /** Default 25 lines: a stat a person reads in a thread. */
  statMaxLines?: number;
  /** Default 2500 characters: well inside a Slack section block (3000). */
  statMaxChars?: number;
}

/** Files listed in `files` at most; `fileCount` still counts all. */
export const MaxListedFiles = 500;
/** git's tree with nothing in it, for a branch without commits. */
const EmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
/** The whole stat is kept up to this size (a file attachment); beyond it, it is cut and says so. */
const MaxFullStatBytes = 1024 * 1024;

export async function describeChanges(
  git: GitRunner,
  worktree: string,
  options: ChangesOptions = {},
): Promise<WorktreeChanges> {
  const call = { cwd: worktree };
  if (!options.since) {
    const status = await git.run(["status", "--porcelain=v1", "-z", "--untracked-files=normal"], {
      ...call,
      maxBytes: 64,
    });
    if (status.stdout === "") return { kind: "none" };
  }
  const from = await startPoint(git, worktree, options.since);
  const scratch = mkdtempSync(path.join(tmpdir(), "codethread-index-"));
  try {
    const index = path.join(scratch, "index");
    const real = path.resolve(worktree, await git.text(["rev-parse", "--git-path", "index"], call));
    if (existsSync(real)) {
      copyFileSync(real, index);
      // The copy keeps the index's times: git's racy-entry check compares entries with the index
      // file's mtime, and a fresh mtime would make a file edited in the second of its checkout
      // (same size) look unchanged.
      const { atime, mtime } = statSync(real);
      utimesSync(index, atime, mtime);
    }
    const env = { GIT_INDEX_FILE: index };
    await git.run(["add", "--all", "--intent-to-add"], { ...call, env });
    const diff = (extra: string[], maxBytes?: number) =>
      git.run(["diff", "--no-ext-diff", "--no-textconv", "-M", ...extra, from, "--"], { ...call, env, maxBytes });
    const [numstat, names, stat] = await Promise.all([
      diff(["-z", "--numstat"]),
      diff(["-z", "--name-status"]),
      diff(["--stat=72"], MaxFullStatBytes),
    ]);
    const files = mergeFiles(parseNumstat(numstat.stdout), parseNameStatus(names.stdout));
    if (files.length === 0) return { kind: "none" };
    const full = stat.truncated ? `${stat.stdout}\n… (cut at ${MaxFullStatBytes} bytes)\n` : stat.stdout;
    const bounded = boundStat(full, options.statMaxLines ?? 25, options.statMaxChars ?? 2500);
    return {
      kind: "changed",
      files: files.slice(0, MaxListedFiles),
      fileCount: files.length,
      insertions: files.reduce((n, f) => n + f.insertions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      stat: bounded.text,
      statTruncated: bounded.truncated,
      ...(bounded.truncated ? { fullStat: full } : {}),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function startPoint(git: GitRunner, cwd: string, since: string | undefined): Promise<string> {
  const head = await git.run(["rev-parse", "--verify", "-q", "HEAD^{commit}"], { cwd, okCodes: [1] });
  if (head.code !== 0) return EmptyTree;
  if (!since) return "HEAD";
  return git.text(["merge-base", since, "HEAD"], { cwd });
}

interface Counts {
  insertions: number;
  deletions: number;
  binary: boolean;
}

/** `ins\tdel\tpath\0`, or for a rename `ins\tdel\t\0old\0new\0`; `-\t-` for binary files. */
export function parseNumstat(text: string): Map<string, Counts> {
  const out = new Map<string, Counts>();
  const parts = text.split("\0");
  for (let i = 0; i < parts.length; i++) {
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(parts[i]!);
    if (!m) continue;
    let file = m[3]!;
    if (file === "") {
      i += 2; // rename: old, new
      file = parts[i] ?? "";
    }
    const binary = m[1] === "-";
    out.set(file, { binary, insertions: binary ? 0 : Number(m[1]), deletions: binary ? 0 : Number(m[2]) });
  }
  return out;
}

const Statuses: Record<string, FileStatus> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type_changed",
};

/** `X\0path\0`, or for renames and copies `R100\0old\0new\0`. */
export function parseNameStatus(text: string): { path: string; oldPath?: string; status: FileStatus }[] {
  const out: { path: string; oldPath?: string; status: FileStatus }[] = [];
  const parts = text.split("\0");
  for (let i = 0; i + 1 < parts.length; ) {
    const code = parts[i]!;
    const status = Statuses[code[0] ?? ""] ?? "modified";
    if (status === "renamed" || status === "copied") {
      out.push({ status, oldPath: parts[i + 1]!, path: parts[i + 2] ?? "" });
      i += 3;
    } else {
      out.push({ status, path: parts[i + 1]! });
      i += 2;
    }
  }
  return out;
}

function mergeFiles(
  counts: Map<string, Counts>,
  names: { path: string; oldPath?: string; status: FileStatus }[],
): ChangedFile[] {
  return names.map((n) => ({ ...n, ...(counts.get(n.path) ?? { insertions: 0, deletions: 0, binary: false }) }));
}

/**
 * At most `maxLines` lines and `maxChars` characters: the first file lines, a "… and N more
 * files" line, and git's summary line (`3 files changed, …`) always last.
 */
export function boundStat(text: string, maxLines: number, maxChars: number): { text: string; truncated: boolean } {
  const lines = text.replace(/\n+$/, "").split("\n");
  const summary = lines.pop() ?? "";
  const fits = (kept: string[], more: number) => {
    const all = more > 0 ? [...kept, ` … and ${more} more files`, summary] : [...kept, summary];
    return { text: `${all.join("\n")}\n`, ok: all.length <= maxLines && all.join("\n").length < maxChars };
  };
  const whole = fits(lines, 0);
  if (whole.ok) return { text: whole.text, truncated: false };
  let keep = Math.min(lines.length, Math.max(0, maxLines - 2));
  while (keep > 0 && !fits(lines.slice(0, keep), lines.length - keep).ok) keep--;
  return { text: fits(lines.slice(0, keep), lines.length - keep).text, truncated: true };
}
