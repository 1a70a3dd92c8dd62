import { afterAll, beforeAll, expect, it } from "vitest";
import { openCodeDescriptor } from "../../src/agents/opencode/descriptor.js";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { loadConfig } from "../../src/config.js";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { SqlJobQueue } from "../../src/store/queue/sql-job-queue.js";
import { createWorker } from "../../src/worker/worker.js";
import { type OpenCodeHarness, startHarness } from "../support/opencode-harness.js";
import { RecordingPublisher, runPayload, runThreadKey, waitForStatus } from "../support/queue-fixtures.js";

let h: OpenCodeHarness;
let db: Database;
beforeAll(async () => {
  h = await startHarness();
  db = await openPGlite();
  await migrate(db);
});
afterAll(async () => {
  await h?.close();
  await db?.close();
});

it("with the Kubernetes pod settings set, an OpenCode run still runs (locally), through the worker's defaults", async () => {
  const dir = h.sandbox.project("pod-settings");
  const config = loadConfig(
    { CODETHREAD_K8S_NAMESPACE: "dev", CODETHREAD_K8S_POD: "box-0", CODETHREAD_WORKSPACE_DIR: dir },
    "/",
  );
  h.mock.script = () => ({ text: "Ran where I can." });
  const publisher = new RecordingPublisher();
  const worker = createWorker({
    db,
    registry: new ProviderRegistry().register(h.agent, openCodeDescriptor),
    publisher,
    config,
    pollMs: 100,
  });
  await worker.start();
  try {
    const queue = new SqlJobQueue(db);
    const { job } = await queue.enqueue({
      kind: "agent_run",
      threadKey: runThreadKey(1),
      payload: runPayload(1, "hello", { provider: "oc" }),
    });
    const done = await waitForStatus((id) => queue.get(id), job.id, ["succeeded", "failed"], 60_000);
    const finished = publisher.of(job.id).find((c) => c.what === "finished");
    expect(finished).toMatchObject({ result: { outcome: "succeeded", text: "Ran where I can." } });
    expect(done.status).toBe("succeeded");
    // The alias was stored as the provider's id.
    const { rows } = await db.query<{ provider: string }>("SELECT provider FROM thread_sessions");
    expect(rows).toEqual([{ provider: "opencode" }]);
  } finally {
    await worker.stop({ graceMs: 0 });
  }
});
