import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { openDatabase } from "../../src/store/open.js";
import { claimJobs } from "../../src/store/queue/claim.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { createWorker } from "../../src/worker/worker.js";
import { RecordingPublisher, runPayload, runThreadKey, waitForStatus, waitUntil } from "../support/queue-fixtures.js";
import { TestAgent } from "../support/test-agent.js";

it("after a crash, a restarted embedded bot reports the run it left behind at once, not after its lease", async () => {
  const config = loadConfig({ CODETHREAD_DATA_DIR: mkdtempSync(path.join(tmpdir(), "codethread-restart-")) }, "/");
  const before = await openDatabase(config, silentLogger);
  const { job } = await new SqlJobQueue(before).enqueue({
    kind: "agent_run",
    threadKey: runThreadKey(1),
    payload: runPayload(1, "never runs again"),
  });
  // The old process claimed it with an hour-long lease, then died without a word.
  await claimJobs(before, "the-old-process", 1, 3_600_000);
  await before.close();

  const db = await openDatabase(config, silentLogger);
  const publisher = new RecordingPublisher();
  const agent = new TestAgent("test-agent");
  const worker = createWorker({
    db,
    registry: new ProviderRegistry().register(agent),
    publisher,
    config,
    leaseMs: 3_600_000,
    pollMs: 200,
    resolveWorkspace: () => ({ kind: "local", directory: "/tmp" }),
  });
  await worker.start();
  try {
    const queue = new SqlJobQueue(db);
    expect(await waitForStatus((id) => queue.get(id), job.id, ["interrupted"])).toMatchObject({
      status: "interrupted",
    });
    await waitUntil(() => publisher.of(job.id).some((c) => c.what === "interrupted"), "the thread is told");
    expect(agent.requests).toEqual([]);
  } finally {
    await worker.stop({ graceMs: 0 });
    await db.close();
  }
});
