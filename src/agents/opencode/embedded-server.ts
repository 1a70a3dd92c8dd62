import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { Secret } from "../../secret.js";
import { ErrOpenCodeServerStart } from "./errors.js";

/** How long `opencode serve` may take to print its "listening" line (2–4 s is usual; cold CI is slower). */
export const DefaultStartTimeoutMs = 30_000;
/** How long a stopping server gets after SIGTERM before SIGKILL. */
const StopGraceMs = 5_000;

export interface EmbeddedServerOptions {
  bin: string;
  /** Extra environment for the server (merged over process.env). */
  env?: Record<string, string>;
  cwd?: string;
  startTimeoutMs?: number;
  username?: string;
  password?: Secret;
  log: Logger;
}

interface Running {
  child: ChildProcess;
  url: Promise<string>;
  /** Resolves with a reason when the process exits. */
  exited: Promise<string>;
}

/**
 * `opencode serve --hostname 127.0.0.1 --port 0` started on first use and shared by every run
 * of the provider. The URL is read from its "listening on" line (1.18.33 binds 4096 when free,
 * so the port is never assumed). A server that died is started again on the next run.
 */
export class EmbeddedServer {
  readonly #options: EmbeddedServerOptions;
  #running?: Running;

  constructor(options: EmbeddedServerOptions) {
    this.#options = options;
  }

  get started(): boolean {
    return this.#running !== undefined;
  }

  /** The server's URL, starting it if needed. */
  ensure(): Promise<string> {
    this.#running ??= this.#start();
    return this.#running.url;
  }

  /** Resolves with a reason when the current server process exits (never, if none runs). */
  exited(): Promise<string> {
    return this.#running?.exited ?? new Promise(() => {});
  }

  async stop(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    if (!running) return;
    const { child } = running;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), StopGraceMs);
      await running.exited;
      clearTimeout(timer);
    }
  }

  #start(): Running {
    const { bin, cwd, startTimeoutMs = DefaultStartTimeoutMs, log } = this.#options;
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.#options.env };
    if (this.#options.password) {
      env.OPENCODE_SERVER_PASSWORD = this.#options.password.reveal();
      env.OPENCODE_SERVER_USERNAME = this.#options.username ?? "opencode";
    }
    const args = ["serve", "--hostname", "127.0.0.1", "--port", "0"];
    const child = spawn(bin, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], shell: false });
    let stderrTail = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderrTail = (stderrTail + d.toString("utf8")).slice(-2000);
    });
    const exited = new Promise<string>((resolve) => {
      child.once("error", (err) => resolve(messageOf(err)));
      child.once("exit", (code, signal) => resolve(signal ? `stopped by ${signal}` : `exited with code ${code}`));
    });
    void exited.then((reason) => {
      log.warn({ reason }, "embedded opencode serve exited");
      if (this.#running?.child === child) this.#running = undefined;
    });
    const url = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new ErrOpenCodeServerStart(`no "listening" line within ${startTimeoutMs} ms`, { bin }));
      }, startTimeoutMs);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const m = /listening on (https?:\/\/\S+)/.exec(line);
        if (!m) return;
        clearTimeout(timer);
        log.info({ url: m[1] }, "embedded opencode serve is listening");
        resolve(m[1]!.replace(/\/+$/, ""));
      });
      void exited.then((reason) => {
        clearTimeout(timer);
        const tail = stderrTail.trim().split("\n").slice(-3).join(" | ");
        reject(new ErrOpenCodeServerStart(`${bin} ${reason}${tail ? `: ${tail}` : ""}`, { bin }));
      });
    });
    url.catch(() => {});
    return { child, url, exited };
  }
}

/** `opencode --version`, bounded by `signal` (availability without starting a server). */
export function binaryVersion(bin: string, signal: AbortSignal, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["--version"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "ignore"],
      shell: false,
      signal,
    });
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.once("error", (err) => reject(new ErrOpenCodeServerStart(messageOf(err), { bin }, err)));
    child.once("exit", (code) => {
      if (code === 0 && out.trim()) resolve(out.trim().split("\n")[0]!);
      else reject(new ErrOpenCodeServerStart(`${bin} --version exited with code ${code}`, { bin }));
    });
  });
}
