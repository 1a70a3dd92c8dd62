import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SigningSecret } from "./slack-harness.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A bot process of the fault suite (see bot-process.ts). */
export interface BotProcess {
  name: string;
  /** Its Slack events URL (slash commands, events and actions all go there). */
  url: string;
  dataDir: string;
  runLog: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface RunLogEntry {
  what: "start" | "end";
  jobId: string;
  outcome?: string;
  pid: number;
}

/**
 * Start a bot with its own data directory under `dir` (`<dir>/<name>`), on `databaseUrl`, talking to
 * the fake Slack at `slackApiUrl`, and wait until it takes Slack requests. `env` adds or overrides
 * variables (CODETHREAD_LEASE, CODETHREAD_DB_RETRY, BOT_AGENT, …).
 */
export async function spawnBot(
  name: string,
  o: { dir: string; databaseUrl: string; slackApiUrl: string; env?: Record<string, string> },
): Promise<BotProcess> {
  const dataDir = path.join(o.dir, name);
  mkdirSync(dataDir, { recursive: true });
  const runLog = path.join(dataDir, "runs.jsonl");
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/bot-process.ts"], {
    cwd: root,
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: "xoxb-fault-suite",
      SLACK_SIGNING_SECRET: SigningSecret,
      SLACK_API_URL: o.slackApiUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: o.databaseUrl,
      CODETHREAD_DATA_DIR: dataDir,
      CODETHREAD_WORKSPACE_DIR: dataDir,
      LOG_LEVEL: process.env.FAULT_LOG ?? "warn",
      BOT_AGENT: "scripted",
      BOT_RUN_LOG: runLog,
      ...o.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  if (process.env.FAULT_LOG) child.stderr?.pipe(process.stderr);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot ${name} did not start: ${out}`)), 90_000);
    const check = () => {
      const m = /^ready (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bot ${name} exited with ${code}: ${out}`));
    });
  }).catch((err: unknown) => {
    child.kill("SIGKILL");
    throw err;
  });
  return { name, url, dataDir, runLog, child, output: () => out, exited };
}

export function readRunLog(bot: BotProcess): RunLogEntry[] {
  if (!existsSync(bot.runLog)) return [];
  return readFileSync(bot.runLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunLogEntry);
}

/** Processes (other than `exceptPid`) whose environment names `needle`, e.g. a bot's data directory. */
export function processesWithEnv(needle: string, exceptPid = process.pid): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === exceptPid) continue;
    try {
      const state = readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]?.[0];
      if (state !== "Z" && readFileSync(`/proc/${name}/environ`, "utf8").includes(needle)) pids.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** SIGKILL every bot still alive and wait for them. */
export async function killBots(bots: BotProcess[]): Promise<void> {
  for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill("SIGKILL");
  await Promise.all(bots.map((b) => b.exited));
}
