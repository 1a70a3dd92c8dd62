import { existsSync } from "node:fs";
import { Redactor } from "../ci/redact.js";
import { excerpt } from "../errors.js";
import type { Logger } from "../log.js";
import { runToEnd } from "../process/capture.js";
import { Secret } from "../secret.js";
import { ErrGitFailed, ErrGitTimedOut, ErrGitUnavailable, ErrSecretInArgv } from "./errors.js";

/**
 * The one way codethread runs `git`: through the process seam (argv only, the allow-listed child
 * environment of src/process/env.ts), bounded output, a time limit, named errors.
 *
 * What git gets, and why:
 * - **No configuration but the repository's**: GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null,
 *   GIT_ATTR_NOSYSTEM, no global ignore/attributes files. The bot's host (a developer laptop, a
 *   container with someone's ~/.gitconfig) must not change what a commit or a diff contains.
 * - **Nothing runs that an agent wrote**: the worktree's repository is writable by the agent, so
 *   hooks (`core.hooksPath=/dev/null`, and `--no-verify` where it applies), `core.fsmonitor`, and
 *   repository-configured credential helpers are switched off for every call. A push carries the
 *   forge token in its environment; a pre-push hook or a helper would see it.
 * - **Never a prompt**: GIT_TERMINAL_PROMPT=0; a missing credential fails at once.
 * - **A fixed committer** (the bot) on every call; authors are set per commit (commit-push.ts).
 * - **Messages in English** (LC_MESSAGES=C, no LC_ALL/LANGUAGE) so errors can be classified.
 * - **Waits for git's own locks**: ref and packed-refs lock timeouts of 10 s, so two processes
 *   creating branches in one repository retry instead of failing (thread-worktrees.ts also
 *   serializes per project inside one process).
 * - **Secrets only through the environment**, never argv (any local user can read argv in `ps`):
 *   a call names the secrets it carries; an argument containing one is refused, and every
 *   occurrence in git's output is redacted before it reaches a result, an error or a log.
 *
 * Not defended here: an agent running as the bot's own user can read the bot's memory and
 * environment anyway; run agents in pods (pod-worktrees.ts) to separate them.
 */

export interface GitIdentity {
  name: string;
  email: string;
}

/** The committer of everything the bot commits. */
export const DefaultCommitter: GitIdentity = { name: "codethread", email: "codethread@users.noreply.invalid" };

/** The oldest git this layer works with. */
export const MinGitVersion = "2.36";

/** Default limit of one git command. Network commands (push, fetch, clone) pass a longer one. */
export const DefaultGitTimeoutMs = 120_000;
/** Default bytes kept of stdout and of stderr. */
export const DefaultGitOutputBytes = 1024 * 1024;

/** `-c` settings on every call (see the file comment). */
const FixedConfig = [
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "credential.helper=",
  "protocol.ext.allow=never",
  "core.excludesFile=/dev/null",
  "core.attributesFile=/dev/null",
  "core.filesRefLockTimeout=10000",
  "core.packedRefsTimeout=10000",
  "core.quotePath=false",
  "core.pager=cat",
  "color.ui=false",
  "commit.gpgSign=false",
  "tag.gpgSign=false",
  "advice.detachedHead=false",
  "init.defaultBranch=main",
  "gc.autoDetach=false",
];

export interface GitSettings {
  /** Default `git`. */
  bin?: string;
  committer?: GitIdentity;
  timeoutMs?: number;
  /** Each call at debug level (argv, directory, exit, duration); never environment values. */
  log?: Logger;
}

export interface GitCall {
  cwd: string;
  /** Variables for this call on top of the runner's (an author, GIT_INDEX_FILE, an auth header). */
  env?: Readonly<Record<string, string>>;
  /**
   * The secrets this call's environment carries: refused in argv, their values redacted from all
   * output (values under 6 characters are not: they would blank words; src/ci/redact.ts).
   */
  secrets?: readonly (Secret | string)[];
  timeoutMs?: number;
  maxBytes?: number;
  /** Written to git's stdin (a commit message with `-F -`). */
  input?: string;
  /** Exit codes that are answers, not failures (`diff --quiet` exits 1 when there are differences). */
  okCodes?: readonly number[];
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Output went past `maxBytes`; the kept part is the beginning. */
  truncated: boolean;
}

/** What the git layer needs of a runner: `Git` here; a runner inside a pod could be another. */
export interface GitRunner {
  run(args: readonly string[], call: GitCall): Promise<GitResult>;
  text(args: readonly string[], call: GitCall): Promise<string>;
  test(args: readonly string[], call: GitCall): Promise<boolean>;
}

export class Git implements GitRunner {
  readonly bin: string;
  readonly committer: GitIdentity;
  readonly #timeoutMs: number;
  readonly #log: Logger | undefined;

  constructor(settings: GitSettings = {}) {
    this.bin = settings.bin ?? "git";
    this.committer = settings.committer ?? DefaultCommitter;
    this.#timeoutMs = settings.timeoutMs ?? DefaultGitTimeoutMs;
    this.#log = settings.log;
  }

  /** The environment every call gets (before the call's own `env`). */
  baseEnv(): Record<string, string> {
    return {
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_ATTR_NOSYSTEM: "1",
      GIT_OPTIONAL_LOCKS: "0",
      GIT_COMMITTER_NAME: this.committer.name,
      GIT_COMMITTER_EMAIL: this.committer.email,
      GIT_AUTHOR_NAME: this.committer.name,
      GIT_AUTHOR_EMAIL: this.committer.email,
      LC_MESSAGES: "C",
    };
  }

  /** The `-c` arguments every call starts with. */
  static fixedArgs(): string[] {
    return FixedConfig.flatMap((c) => ["-c", c]);
  }

  /**
   * Run `git <args>` in `call.cwd`. `args[0]` is the subcommand (named in errors). Resolves
   * with the output when the exit code is 0 or in `okCodes`; otherwise throws ErrGitFailed with
   * the exit code and a redacted stderr excerpt.
   */
  async run(args: readonly string[], call: GitCall): Promise<GitResult> {
    const subcommand = args[0] ?? "";
    const secrets = (call.secrets ?? []).map((s) => (typeof s === "string" ? new Secret(s) : s));
    const values = secrets.map((s) => s.reveal()).filter((v) => v.length >= 6);
    if (args.some((a) => values.some((v) => a.includes(v)))) throw new ErrSecretInArgv(subcommand);
    const redactor = new Redactor(secrets);
    if (!existsSync(call.cwd)) {
      throw new ErrGitFailed(subcommand, null, `the directory ${call.cwd} does not exist`, { cwd: call.cwd });
    }
    const timeoutMs = call.timeoutMs ?? this.#timeoutMs;
    const started = Date.now();
    const out = await runToEnd(
      {
        bin: this.bin,
        args: [...Git.fixedArgs(), ...args],
        cwd: call.cwd,
        env: { ...this.baseEnv(), ...call.env },
        unsetEnv: ["LC_ALL", "LANGUAGE"],
      },
      { timeoutMs, maxBytes: call.maxBytes ?? DefaultGitOutputBytes, input: call.input },
    );
    const stdout = secrets.length ? redactor.redact(out.stdout) : out.stdout;
    const stderr = redactor.redact(out.stderr);
    this.#log?.debug(
      { git: args, cwd: call.cwd, exit: out.exit.code, signal: out.exit.signal, ms: Date.now() - started },
      "git",
    );
    if (out.exit.error && out.exit.code === null && out.exit.signal === null) {
      throw new ErrGitUnavailable(this.bin, redactor.redact(out.exit.error.message));
    }
    if (out.timedOut) throw new ErrGitTimedOut(subcommand, timeoutMs);
    const code = out.exit.code ?? -1;
    if (code !== 0 && !(call.okCodes ?? []).includes(code)) {
      throw new ErrGitFailed(subcommand, out.exit.code, excerpt(stderr || stdout, 500), {
        cwd: call.cwd,
        signal: out.exit.signal,
        stdout: excerpt(stdout, 500),
      });
    }
    return { code, stdout, stderr, truncated: out.truncated };
  }

  /**
   * git's version, and whether it is new enough (MinGitVersion: `worktree list -z` needs 2.36;
   * GIT_CONFIG_COUNT 2.31, GIT_CONFIG_GLOBAL 2.32). For `codethread doctor`.
   */
  async version(cwd = "/"): Promise<{ version: string; supported: boolean }> {
    const text = await this.text(["version"], { cwd });
    const version = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)?.[0] ?? text;
    const [major = 0, minor = 0] = version.split(".").map(Number);
    const [minMajor, minMinor] = MinGitVersion.split(".").map(Number) as [number, number];
    return { version, supported: major > minMajor || (major === minMajor && minor >= minMinor) };
  }

  /** stdout of a successful call without its final newline. */
  async text(args: readonly string[], call: GitCall): Promise<string> {
    return (await this.run(args, call)).stdout.replace(/\n$/, "");
  }

  /** True when the call exits 0, false when it exits 1 (`show-ref --verify --quiet`, `diff --quiet`). */
  async test(args: readonly string[], call: GitCall): Promise<boolean> {
    return (await this.run(args, { ...call, okCodes: [1] })).code === 0;
  }
}
