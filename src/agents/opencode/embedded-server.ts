import { createInterface } from "node:readline";
import type { Logger } from "../../log.js";
import { runToEnd } from "../../process/capture.js";
import type { InheritPolicy } from "../../process/env.js";
import { type SpawnedProcess, spawnProcess } from "../../process/spawn.js";
import { StderrTail } from "../../process/stderr-tail.js";
import type { Secret } from "../../secret.js";
import { OpenCodeInherit } from "./environment.js";
import { ErrOpenCodeServerStart } from "./errors.js";

/** How long `opencode serve` may take to print its "listening" line (2–4 s is usual; cold CI is slower). */
export const DefaultStartTimeoutMs = 30_000;
/** How long a stopping server gets after SIGTERM before SIGKILL. */
const StopGraceMs = 5_000;

export interface EmbeddedServerOptions {
  bin: string;
  /** Variables set for the server, over what it inherits (src/process/env.ts). */
  env?: Record<string, string>;
  /** Names of the bot's variables the server may inherit beyond its own (CODETHREAD_AGENT_ENV). */
  agentEnv?: string[];
  /** Where the running server is recorded for a restarted bot (the data dir's `processes/`). */
  processDir?: string;
  cwd?: string;
  startTimeoutMs?: number;
  username?: string;
  password?: Secret;
  log: Logger;
}

interface Running {
  child: SpawnedProcess;
  url: Promise<string>;
  /** Resolves with a reason when the process exits. */
  exited: Promise<string>;
}

/**
 * `opencode serve --hostname 127.0.0.1 --port 0` started on first use and shared by every run
 * of the provider. The URL is read from its "listening on" line (1.18.33 binds 4096 when free,
 * so the port is never assumed). A server that died is started again on the next run.
 * It leads its own process group (a terminal's Ctrl-C reaches the bot, which stops it after
 * the runs' grace period) and dies with the bot (parent-death watchdog).
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
    if (child.kill("SIGTERM")) {
      const timer = setTimeout(() => child.kill("SIGKILL"), StopGraceMs);
      await running.exited;
      clearTimeout(timer);
    }
  }

  #start(): Running {
    const { bin, cwd, startTimeoutMs = DefaultStartTimeoutMs, log } = this.#options;
    const env: Record<string, string> = { ...this.#options.env };
    if (this.#options.password) {
      // The server's own credential: the one OPENCODE_SERVER_* value that reaches a child.
      env.OPENCODE_SERVER_PASSWORD = this.#options.password.reveal();
      env.OPENCODE_SERVER_USERNAME = this.#options.username ?? "opencode";
    }
    const child = spawnProcess({
      bin,
      args: ["serve", "--hostname", "127.0.0.1", "--port", "0"],
      cwd,
      env,
      inherit: serverInherit(this.#options.agentEnv),
      detached: true,
      dieWithParent: true,
      recordDir: this.#options.processDir,
    });
    const stderr = new StderrTail(2000);
    child.stderr.on("data", (d: Buffer) => stderr.push(d));
    const exited = child.exited.then((exit) =>
      exit.error && exit.code === null && exit.signal === null
        ? exit.error.message
        : exit.signal
          ? `stopped by ${exit.signal}`
          : `exited with code ${exit.code}`,
    );
    void exited.then((reason) => {
      log.warn({ reason }, "embedded opencode serve exited");
      if (this.#running?.child === child) this.#running = undefined;
    });
    const url = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new ErrOpenCodeServerStart(`no "listening" line within ${startTimeoutMs} ms`, { bin }));
      }, startTimeoutMs);
      createInterface({ input: child.stdout }).on("line", (line) => {
        const m = /listening on (https?:\/\/\S+)/.exec(line);
        if (!m) return;
        clearTimeout(timer);
        log.info({ url: m[1] }, "embedded opencode serve is listening");
        resolve(m[1]!.replace(/\/+$/, ""));
      });
      void exited.then((reason) => {
        clearTimeout(timer);
        const tail = stderr.text().trim().split("\n").slice(-3).join(" | ");
        reject(new ErrOpenCodeServerStart(`${bin} ${reason}${tail ? `: ${tail}` : ""}`, { bin }));
      });
    });
    url.catch(() => {});
    return { child, url, exited };
  }
}

function serverInherit(agentEnv: string[] = []): InheritPolicy[] {
  return [OpenCodeInherit, { names: agentEnv }];
}

/** `opencode --version`, bounded by `signal` (availability without starting a server). */
export async function binaryVersion(
  bin: string,
  signal: AbortSignal,
  options: { env?: Record<string, string>; agentEnv?: string[] } = {},
): Promise<string> {
  const { exit, stdout } = await runToEnd(
    { bin, args: ["--version"], env: options.env, inherit: serverInherit(options.agentEnv), signal },
    { maxBytes: 4096 },
  );
  if (exit.error && exit.code === null && exit.signal === null) {
    throw new ErrOpenCodeServerStart(exit.error.message, { bin });
  }
  if (exit.code === 0 && stdout.trim()) return stdout.trim().split("\n")[0]!;
  throw new ErrOpenCodeServerStart(`${bin} --version exited with code ${exit.code}`, { bin });
}
