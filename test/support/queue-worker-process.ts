/**
 * One worker process for the multi-process queue tests:
 *   QUEUE_DB_URL=… WORKER_ID=w1 CONCURRENCY=4 LEASE_MS=2000 GRACE_MS=500 node --import tsx test/support/queue-worker-process.ts
 * Runs the scripted TestAgent. The agent records each run's start and end (database clock) in
 * `test_agent_runs`; the publisher records starts, permission requests, finishes and interruptions in
 * `test_published`. Prints `ready` once claiming; SIGTERM stops it gracefully (worker.stop).
 */
import type { AgentResult } from "../../src/agents/events.js";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { createLogger } from "../../src/log.js";
import { openPostgres } from "../../src/store/adapters/postgres.js";
import type { RunInfo, RunPublisher } from "../../src/worker/publisher.js";
import { createWorker } from "../../src/worker/worker.js";
import { testRunRequest } from "./queue-fixtures.js";
import { TestAgent } from "./test-agent.js";

const env = process.env;
const url = env.QUEUE_DB_URL ?? "";
const workerId = env.WORKER_ID ?? `worker-${process.pid}`;
const log = createLogger({ level: env.LOG_LEVEL ?? "warn" });
const db = await openPostgres(url, { log, maxConnections: 4 });

const published = (jobId: string, what: string, detail: Record<string, unknown> = {}) =>
  db.query("INSERT INTO test_published (job_id, worker_id, what, detail) VALUES ($1, $2, $3, $4::jsonb)", [
    jobId,
    workerId,
    what,
    JSON.stringify(detail),
  ]);

const publisher: RunPublisher = {
  async runStarted(run: RunInfo) {
    await published(run.jobId, "started", { resumedSessionId: run.resumedSessionId ?? null });
  },
  async runEvent(run: RunInfo, event) {
    if (event.type === "permission_request") await published(run.jobId, "permission_request", { id: event.id });
  },
  async runFinished(run: RunInfo, result: AgentResult, extra: { cancelledBy?: string }) {
    await published(run.jobId, "finished", {
      outcome: result.outcome,
      text: result.text,
      cancelledBy: extra.cancelledBy ?? null,
    });
  },
  async runInterrupted(run: { jobId: string }, reason: string) {
    await published(run.jobId, "interrupted", { reason });
  },
};

const agent = new TestAgent("test-agent", {
  onStart: async (request) => {
    await db.query(
      "INSERT INTO test_agent_runs (job_id, worker_id, pid, started_at) VALUES ($1, $2, $3, clock_timestamp())",
      [request.runId, workerId, process.pid],
    );
  },
  onEnd: async (request, outcome) => {
    await db.query("UPDATE test_agent_runs SET ended_at = clock_timestamp(), outcome = $2 WHERE job_id = $1", [
      request.runId,
      outcome,
    ]);
  },
});

const worker = createWorker({
  db,
  registry: new ProviderRegistry().register(agent),
  publisher,
  log,
  workerId,
  concurrency: Number(env.CONCURRENCY ?? 4),
  leaseMs: Number(env.LEASE_MS ?? 2_000),
  pollMs: 500,
  resolveWorkspace: () => ({ kind: "local", directory: process.cwd() }),
  buildRequest: testRunRequest(),
});

process.on("SIGTERM", () => {
  void (async () => {
    await worker.stop({ graceMs: Number(env.GRACE_MS ?? 500) });
    await db.close();
    process.exit(0);
  })();
});

await worker.start();
process.stdout.write("ready\n");
