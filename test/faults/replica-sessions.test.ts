import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { CodeAgent } from "../../src/agents/port.js";
import { ProviderRegistry } from "../../src/agents/registry.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { getThreadSession } from "../../src/store/thread-sessions.js";
import { FreshSessionNotice } from "../../src/worker/agent-run-handler.js";
import { createWorker, type Worker } from "../../src/worker/worker.js";
import { makeAgent, makeSandbox, promptTexts, type Sandbox } from "../claude/harness.js";
import { describeEachDatabase } from "../support/databases.js";
import { type MockAnthropic, startMockAnthropic } from "../support/mock-anthropic.js";
import {
  RecordingPublisher,
  runPayload,
  runThreadKey,
  testRunRequest,
  waitForStatus,
} from "../support/queue-fixtures.js";

/**
 * Two replicas with separate data directories (each its own CLAUDE_CONFIG_ROOT, so its own copy of
 * Claude Code's transcripts) on one database, the real `claude` CLI against the mock LLM. A thread
 * started on one replica continues on the other with its history (the transcript travels in the
 * database); a session found nowhere is replaced by a fresh one only with a notice in the thread.
 */
const finalStatuses = ["succeeded", "failed", "cancelled", "interrupted"] as const;
let mock: MockAnthropic;
beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterAll(async () => {
  await mock?.close();
});

describeEachDatabase("sessions across replicas", (target) => {
  let db: Database;
  let queue: SqlJobQueue;
  let sb: Sandbox;
  let replicas: Record<"a" | "b", CodeAgent>;
  /** Where each replica checks the workspace out: not the same path (Claude Code files transcripts by it). */
  let checkout: Record<"a" | "b", string>;
  let publisher: RecordingPublisher;
  let workers: Worker[];

  beforeEach(async () => {
    db = await target.create();
    await migrate(db);
    queue = new SqlJobQueue(db);
    sb = makeSandbox();
    checkout = { a: sb.cwd, b: path.join(sb.root, "replica-b", "work_tree.2") };
    mkdirSync(checkout.b, { recursive: true });
    replicas = {
      a: makeAgent(mock, sb, { configRoot: path.join(sb.root, "replica-a", "claude") }),
      b: makeAgent(mock, sb, { configRoot: path.join(sb.root, "replica-b", "claude") }),
    };
    for (const r of ["replica-a", "replica-b"]) mkdirSync(path.join(sb.root, r), { recursive: true });
    publisher = new RecordingPublisher();
    workers = [];
  });
  afterEach(async () => {
    for (const w of workers) await w.stop({ graceMs: 0 });
    await db.close();
    sb.cleanup();
  });

  async function replica(name: "a" | "b"): Promise<Worker> {
    const worker = createWorker({
      db,
      registry: new ProviderRegistry().register(replicas[name]),
      publisher,
      workerId: `replica-${name}`,
      leaseMs: 30_000,
      pollMs: 100,
      resolveWorkspace: () => ({ kind: "local", directory: checkout[name] }),
      buildRequest: testRunRequest(120_000),
    });
    workers.push(worker);
    await worker.start();
    return worker;
  }
  const turn = async (prompt: string) => {
    const { job } = await queue.enqueue({
      kind: "agent_run",
      threadKey: runThreadKey(1),
      payload: runPayload(1, prompt, { provider: "claude-code" }),
    });
    return waitForStatus((id) => queue.get(id), job.id, finalStatuses, 120_000);
  };
  const finished = (jobId: string) => {
    const call = publisher.of(jobId).find((c) => c.what === "finished");
    return call?.what === "finished" ? call.result : undefined;
  };

  it("a reply picked up by the other replica resumes the session with its history", async () => {
    const a = await replica("a");
    const first = await turn("MOCK:bash remember the word avocado");
    expect(first.status).toBe("succeeded");
    const sessionId = (await getThreadSession(db, runThreadKey(1)))?.sessionId;
    expect(sessionId).toBeTruthy();
    await a.stop({ graceMs: 0 });

    await replica("b");
    mock.requests.length = 0;
    const second = await turn("which word did I ask you to remember?");
    expect(second.status).toBe("succeeded");
    expect(finished(second.id)?.sessionId).toBe(sessionId);
    // The model saw the first turn again: the transcript came with the thread, not with the machine.
    expect(promptTexts(mock)).toContain("MOCK:bash remember the word avocado");
    expect((await getThreadSession(db, runThreadKey(1)))?.sessionId).toBe(sessionId);
  }, 240_000);

  it("a session found on no replica: the thread is told it starts fresh, and it does", async () => {
    const a = await replica("a");
    expect((await turn("MOCK:bash the first turn")).status).toBe("succeeded");
    const sessionId = (await getThreadSession(db, runThreadKey(1)))?.sessionId;
    await a.stop({ graceMs: 0 });
    // As if the session had been stored before transcripts were kept in the database.
    await db.query("DELETE FROM agent_session_files");

    await replica("b");
    const fresh = await turn("continue please");
    expect(fresh.status).toBe("succeeded");
    const notices = publisher.of(fresh.id).filter((c) => c.what === "notice");
    expect(notices.map((c) => (c.what === "notice" ? c.text : ""))).toEqual([FreshSessionNotice]);
    const freshSession = finished(fresh.id)?.sessionId;
    expect(freshSession).toBeTruthy();
    expect(freshSession).not.toBe(sessionId);
    expect((await getThreadSession(db, runThreadKey(1)))?.sessionId).toBe(freshSession);
  }, 240_000);
});
