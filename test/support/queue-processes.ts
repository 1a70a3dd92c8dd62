import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  /** Output so far (for failure messages). */
  output(): string;
  exited: Promise<number | null>;
}

/** Tables the worker processes write to (see queue-worker-process.ts). */
export const WorkerProcessTables = `
  CREATE TABLE IF NOT EXISTS test_agent_runs (
    job_id text NOT NULL, worker_id text NOT NULL, pid integer NOT NULL,
    started_at timestamptz NOT NULL, ended_at timestamptz, outcome text);
  CREATE TABLE IF NOT EXISTS test_published (
    id bigint GENERATED ALWAYS AS IDENTITY, job_id text NOT NULL, worker_id text NOT NULL,
    what text NOT NULL, detail jsonb NOT NULL);
`;

/** Start a worker process on `url` and wait until it claims. */
export async function spawnWorker(
  url: string,
  id: string,
  env: { CONCURRENCY?: string; LEASE_MS?: string; GRACE_MS?: string } = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/queue-worker-process.ts"], {
    cwd: root,
    env: { ...process.env, QUEUE_DB_URL: url, WORKER_ID: id, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${id} did not start: ${out}`)), 60_000);
    const check = () => {
      if (out.includes("ready\n")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${id} exited with ${code}: ${out}`));
    });
  }).catch((err: unknown) => {
    child.kill("SIGKILL");
    throw err;
  });
  return { id, child, output: () => out, exited };
}

/** Stop every process still alive (SIGKILL: tests clean up, they do not test shutdown here). */
export async function killAll(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
}
