import { CodethreadError, excerpt } from "../errors.js";
import { runToEnd } from "../process/capture.js";
import type { Secret } from "../secret.js";
import { Redactor } from "./redact.js";

/** A `git` command that did not succeed; its stderr excerpt (secrets removed) is in the message. */
export class ErrGit extends CodethreadError {
  constructor(command: string, cwd: string | undefined, detail: string) {
    super("git_failed", `git ${command} failed${cwd ? ` in ${cwd}` : ""}: ${detail}`, { command, cwd });
  }
}

export interface GitOptions {
  cwd?: string;
  /**
   * A forge token for HTTP remotes: sent as `Authorization: token …` through git's environment
   * (GIT_CONFIG_COUNT), never in argv (other users can read a process's argv) and never written
   * into the repository's config or remote URL.
   */
  token?: Secret;
  /** SIGKILL after this long (default 5 minutes: a first clone of a big repository). */
  timeoutMs?: number;
}

/** codethread's own commits (templates, local projects). */
const Identity = {
  GIT_AUTHOR_NAME: "codethread",
  GIT_AUTHOR_EMAIL: "codethread@localhost",
  GIT_COMMITTER_NAME: "codethread",
  GIT_COMMITTER_EMAIL: "codethread@localhost",
};

/**
 * The one way codethread runs git: argv only, through src/process (the child's environment is
 * the allow-list, so no codethread secret reaches git or its hooks), never prompting for a
 * password. Returns stdout, trimmed; throws `ErrGit` with a redacted stderr excerpt.
 */
export async function runGit(args: readonly string[], options: GitOptions = {}): Promise<string> {
  const env: Record<string, string> = { ...Identity, LANG: "C", GIT_TERMINAL_PROMPT: "0" };
  if (options.token) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_0 = `Authorization: token ${options.token.reveal()}`;
  }
  const out = await runToEnd(
    { bin: "git", args, cwd: options.cwd, env },
    { timeoutMs: options.timeoutMs ?? 300_000, maxBytes: 4 * 1024 * 1024 },
  );
  if (out.exit.code === 0) return out.stdout.trim();
  const redactor = new Redactor(options.token ? [options.token] : []);
  const why = out.exit.error
    ? `could not start git (${out.exit.error.message})`
    : out.timedOut
      ? "timed out"
      : excerpt(redactor.redact(out.stderr || out.stdout) || `exit ${out.exit.code ?? out.exit.signal}`);
  throw new ErrGit(args.find((a) => !a.startsWith("-")) ?? "", options.cwd, why);
}
