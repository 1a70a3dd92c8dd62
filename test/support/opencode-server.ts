import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { agentCliForTests } from "./agent-clis.js";

/**
 * Runs the real `opencode serve` (the pinned version `npm run agents:install` puts in .agents/, or OPENCODE_BIN) fully
 * offline against a mock OpenAI-compatible LLM, following ../shared/notes/opencode.md §2 and §6:
 * its own HOME, XDG dirs and TMPDIR under a temp root; the mock provider in the *global* config;
 * every network feature turned off; the plugin install skipped by a seeded lockfile; a proxy
 * that refuses every non-loopback connection as a safety net.
 */

/** The real `opencode` the tests run; fails the test, naming `npm run agents:install`, when missing. */
export const openCodeBin = (): string => agentCliForTests("opencode");

export interface OpenCodeSandbox {
  root: string;
  /** Default working directory of the server. */
  work: string;
  env: Record<string, string>;
  /** A fresh project directory (isolates "always" approvals between tests). */
  project(name: string): string;
  cleanup(): void;
}

export function opencodeConfig(baseURL: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: "mock/mock-model",
    small_model: "mock/mock-model",
    enabled_providers: ["mock"],
    autoupdate: false,
    share: "disabled",
    snapshot: false,
    provider: {
      mock: {
        npm: "@ai-sdk/openai-compatible",
        name: "Mock LLM",
        options: { baseURL, apiKey: "mock-key" },
        models: {
          "mock-model": {
            name: "Mock Model",
            tool_call: true,
            cost: { input: 1, output: 2 },
            limit: { context: 128000, output: 4096 },
          },
        },
      },
    },
    ...extra,
  };
}

export function createOpenCodeSandbox(baseURL: string, config: Record<string, unknown> = {}): OpenCodeSandbox {
  const root = mkdtempSync(path.join(tmpdir(), "ct-opencode-"));
  const home = path.join(root, "home");
  const work = path.join(root, "work");
  const tmp = path.join(root, "tmp");
  const configDir = path.join(home, ".config", "opencode");
  for (const d of [work, tmp, path.join(configDir, "node_modules", "@opencode-ai", "plugin")]) {
    mkdirSync(d, { recursive: true });
  }
  const deps = { "@opencode-ai/plugin": "1.18.33" };
  writeFileSync(path.join(configDir, "package.json"), JSON.stringify({ dependencies: deps }));
  writeFileSync(
    path.join(configDir, "package-lock.json"),
    JSON.stringify({
      name: "opencode",
      lockfileVersion: 3,
      requires: true,
      packages: { "": { dependencies: deps }, "node_modules/@opencode-ai/plugin": { version: "1.18.33" } },
    }),
  );
  writeFileSync(
    path.join(configDir, "node_modules", "@opencode-ai", "plugin", "package.json"),
    JSON.stringify({ name: "@opencode-ai/plugin", version: "1.18.33" }),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
    TMPDIR: tmp,
    OPENCODE_CONFIG_CONTENT: JSON.stringify(opencodeConfig(baseURL, config)),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    OPENCODE_DISABLE_SHARE: "1",
    OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
    OPENCODE_DISABLE_CLAUDE_CODE: "1",
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    NO_PROXY: "127.0.0.1,localhost",
  };
  let n = 0;
  return {
    root,
    work,
    env,
    project(name) {
      const dir = path.join(root, "projects", `${++n}-${name}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface RunningOpenCode {
  url: string;
  child: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL now (a crash). */
  kill(): Promise<void>;
}

/** Start `opencode serve` in the sandbox and wait for its "listening" line. */
export async function startOpenCodeServer(
  sandbox: OpenCodeSandbox,
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<RunningOpenCode> {
  const child = spawn(
    openCodeBin(),
    ["serve", "--hostname", "127.0.0.1", "--port", String(options.port ?? 0), "--print-logs", "--log-level", "WARN"],
    { cwd: sandbox.work, env: { ...sandbox.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"], shell: false },
  );
  child.stderr?.resume();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!.replace(/\/$/, ""));
    });
    child.once("exit", (code) => reject(new Error(`opencode serve exited early (${code})`)));
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { url, child, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") };
}
