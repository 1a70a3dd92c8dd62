import { excerpt as excerptOf, hasCode } from "../errors.js";
import { ErrPushRejected } from "./errors.js";
import type { GitIdentity, GitRunner } from "./git.js";
import { type Remote, RemoteTimeoutMs, remoteCall } from "./remote.js";

/**
 * Commit what a run left in its worktree, and push the thread's branch.
 *
 * The author is the Slack user who asked (display name, a noreply address); the committer is
 * the bot (git.ts). The message ends with trailers linking the thread (`Slack-Thread: <url>`).
 * Hooks never run (git.ts), so nothing the agent wrote into the repository runs with the token.
 */

export interface CommitRequest {
  author: GitIdentity;
  /** First line: the subject (cut to 72 characters); the rest: the body. */
  message: string;
  /** `Name: value` lines after the body, e.g. `{ "Slack-Thread": "https://…/archives/C1/p123" }`. */
  trailers?: Readonly<Record<string, string>>;
}

export type CommitResult = { kind: "committed"; commit: string } | { kind: "nothing_to_commit"; head: string };

/** An author name git accepts as is: no angle brackets or control characters, not empty. */
export function authorName(displayName: string): string {
  const clean = displayName
    .replace(/[<>\p{Cc}]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return clean.slice(0, 100) || "Slack user";
}

/** `<slack user id>@<domain>`: an address that reaches nobody but tells who it was. */
export function noreplyEmail(userId: string, domain: string): string {
  const local = userId.toLowerCase().replace(/[^a-z0-9._-]/g, "") || "unknown";
  return `${local}@${domain}`;
}

/** The message git gets: subject, body, a blank line, trailers; no NUL bytes, one-line trailer values. */
export function commitMessage(message: string, trailers: Readonly<Record<string, string>> = {}): string {
  const text = message.replace(/\0/g, "").replace(/\r\n?/g, "\n").trim();
  const [first = "", ...rest] = text.split("\n");
  const subject = first.length > 72 ? `${first.slice(0, 71)}…` : first || "Changes from Slack";
  const body = rest.join("\n").trim();
  const lines = Object.entries(trailers).map(
    ([key, value]) => `${key.replace(/[^A-Za-z0-9-]/g, "-")}: ${value.replace(/\s+/g, " ").trim()}`,
  );
  return `${[subject, body, lines.join("\n")].filter(Boolean).join("\n\n")}\n`;
}

/** Stage everything (untracked files included, ignored ones not) and commit it; nothing staged: no commit. */
export async function commitWorktree(git: GitRunner, worktree: string, request: CommitRequest): Promise<CommitResult> {
  const call = { cwd: worktree };
  await git.run(["add", "--all"], call);
  if (await git.test(["diff", "--cached", "--quiet", "--no-ext-diff"], call)) {
    return { kind: "nothing_to_commit", head: await git.text(["rev-parse", "HEAD"], call) };
  }
  await git.run(["commit", "--no-verify", "--quiet", "--cleanup=whitespace", "-F", "-"], {
    ...call,
    input: commitMessage(request.message, request.trailers),
    env: {
      GIT_AUTHOR_NAME: authorName(request.author.name),
      GIT_AUTHOR_EMAIL: request.author.email,
    },
  });
  return { kind: "committed", commit: await git.text(["rev-parse", "HEAD"], call) };
}

export type PushResult =
  | { kind: "pushed"; commit: string; newBranch: boolean }
  | { kind: "up_to_date"; commit: string };

/**
 * Push the worktree's HEAD to `refs/heads/<branch>` at `remote`, then record it as
 * `refs/remotes/origin/<branch>` (what prune.ts compares HEAD with). A rejected push is an
 * ErrPushRejected naming why; the token is in no argument, URL, file, log or error text.
 */
export async function pushBranch(
  git: GitRunner,
  worktree: string,
  remote: Remote,
  branch: string,
): Promise<PushResult> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || branch.includes("..") || branch.endsWith(".lock")) {
    throw new ErrPushRejected("rejected", branch, "not a branch name codethread pushes");
  }
  const auth = remoteCall(remote);
  const commit = await git.text(["rev-parse", "HEAD"], { cwd: worktree });
  let out: string;
  try {
    const r = await git.run(["push", "--porcelain", "--no-verify", remote.url, `HEAD:refs/heads/${branch}`], {
      cwd: worktree,
      env: auth.env,
      secrets: auth.secrets,
      timeoutMs: RemoteTimeoutMs,
    });
    out = r.stdout;
  } catch (err) {
    if (hasCode(err, "git_failed")) {
      const said = `${String(err.context.stdout ?? "")}\n${String(err.context.stderr ?? "")}`.trim();
      const reason = classifyPushFailure(said);
      if (reason) throw new ErrPushRejected(reason, branch, excerptOf(said));
    }
    throw err;
  }
  await git.run(["update-ref", `refs/remotes/origin/${branch}`, commit], { cwd: worktree });
  const flag = /^(.)\tHEAD:/m.exec(out)?.[1];
  if (flag === "=") return { kind: "up_to_date", commit };
  return { kind: "pushed", commit, newBranch: flag === "*" };
}

/** Why git said the push failed, when it is the forge's answer rather than a broken connection. */
export function classifyPushFailure(stderr: string): ErrPushRejected["reason"] | undefined {
  if (/\b401\b|Authentication failed|could not read Username|terminal prompts disabled/i.test(stderr)) {
    return "unauthorized";
  }
  if (/\b403\b/.test(stderr)) return "forbidden";
  if (/non-fast-forward|fetch first|\[rejected\]/.test(stderr)) return "non_fast_forward";
  if (/\[remote rejected\]|pre-receive hook declined/.test(stderr)) return "rejected";
  return undefined;
}
