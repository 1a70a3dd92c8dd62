import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectForge } from "../../src/ci/connection.js";
import { ThreadProjects } from "../../src/ci/thread-projects.js";
import { sweepWorktrees } from "../../src/ci/worktree-sweep.js";
import { enqueueJob } from "../../src/store/queue/enqueue.js";
import { parseThreadKey } from "../../src/store/thread-key.js";
import { ensureThreadSession } from "../../src/store/thread-sessions.js";
import { threadBranch } from "../../src/workspaces/thread-id.js";
import { ForgeWorld } from "../support/forge/forge-world.js";

/**
 * The hourly sweep (src/ci/worktree-sweep.ts) over a forge project's thread worktrees: a thread
 * quiet for longer than CODETHREAD_WORKTREE_IDLE whose branch has nothing of its own loses its
 * worktree and branch; a worktree with uncommitted edits, one whose thread has a job waiting,
 * and one whose thread ran recently are kept. A pruned thread's next run gets it back.
 */
let world: ForgeWorld;
const day = 86_400_000;
const keys = {
  quiet: "T1:C1:1700000001.000100",
  dirty: "T1:C1:1700000001.000200",
  waiting: "T1:C1:1700000001.000300",
  recent: "T1:C1:1700000001.000400",
};

beforeAll(async () => {
  world = await ForgeWorld.start();
  await world.seedReadyProject("sweep", { "app.txt": "v1\n" });
});

afterAll(async () => {
  expect(world.violations()).toEqual([]);
  await world.stop();
});

async function ranDaysAgo(key: string, days: number): Promise<void> {
  const ref = parseThreadKey(key);
  if (!ref) throw new Error(`bad key ${key}`);
  await ensureThreadSession(world.db, { ...ref, provider: "claude-code", project: "sweep", ownerUserId: "U1" });
  await world.db.query(
    "UPDATE thread_sessions SET last_run_at = now() - $2 * interval '1 millisecond' WHERE thread_key = $1",
    [key, days * day],
  );
}

describe("the idle-worktree sweep", () => {
  it("prunes a quiet thread's empty worktree and keeps dirty, waiting and recent ones; the thread gets it back", async () => {
    const config = world.config();
    const threads = new ThreadProjects({ db: world.db, config, connect: () => connectForge(config), log: world.log });
    const dirs: Record<string, string> = {};
    for (const [name, key] of Object.entries(keys)) {
      const run = await threads.prepare({ project: "sweep", threadKey: key, userId: "U1", prompt: "look" });
      if (run?.workspace.kind !== "local") throw new Error("expected a local worktree");
      dirs[name] = run.workspace.directory;
    }
    writeFileSync(path.join(dirs.dirty!, "app.txt"), "edited, not committed\n");
    await ranDaysAgo(keys.quiet, 30);
    await ranDaysAgo(keys.dirty, 30);
    await ranDaysAgo(keys.waiting, 30);
    await ranDaysAgo(keys.recent, 1);
    await enqueueJob(world.db, { kind: "agent_run", threadKey: keys.waiting, payload: {} });

    const swept = await sweepWorktrees({
      db: world.db,
      threads,
      dataDir: config.database.dataDir,
      idleMs: 7 * day,
      log: world.log,
    });

    const report = swept.find((s) => s.project === "sweep");
    expect(report?.result?.removed.map((w) => w.branch?.replace(/^refs\/heads\//, ""))).toEqual([
      threadBranch(keys.quiet),
    ]);
    const kept = Object.fromEntries(
      (report?.result?.before.worktrees ?? []).map((w) => [w.path, w.decision.prune ? "pruned" : w.decision.reason]),
    );
    expect(kept[dirs.dirty!]).toBe("dirty");
    expect(kept[dirs.waiting!]).toBe("pinned");
    expect(kept[dirs.recent!]).toBe("active");
    expect(existsSync(dirs.quiet!)).toBe(false);
    for (const name of ["dirty", "waiting", "recent"]) expect(existsSync(dirs[name]!)).toBe(true);

    // The quiet thread's next run works at the same path again (the Claude session is keyed by it).
    const back = await threads.prepare({ project: "sweep", threadKey: keys.quiet, userId: "U1", prompt: "again" });
    expect(back?.workspace).toEqual({ kind: "local", directory: dirs.quiet });
  });
});
