import { afterEach, beforeEach, expect, it } from "vitest";
import { listAudit, recordAudit } from "../../src/store/audit.js";
import type { Database } from "../../src/store/database.js";
import { claimDeliveryKey, pruneDeliveryKeys, releaseDeliveryKey } from "../../src/store/delivery-keys.js";
import { ErrMigrationFailed } from "../../src/store/errors.js";
import { loadMigrations, migrate } from "../../src/store/migrate.js";
import { threadKey } from "../../src/store/thread-key.js";
import {
  clearThreadSessionId,
  ensureThreadSession,
  getThreadSession,
  setThreadSessionId,
} from "../../src/store/thread-sessions.js";
import { describeEachDatabase } from "../support/databases.js";

describeEachDatabase("store", (target) => {
  let db: Database;
  beforeEach(async () => {
    db = await target.create();
  });
  afterEach(async () => {
    await db.close();
  });

  it("applies every migration once, and a second run applies nothing", async () => {
    const first = await migrate(db);
    expect(first).toEqual(loadMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
    expect(rows[0]!.n).toBe(first.length);
  });

  it("applies nothing when a migration fails half-way", async () => {
    const bad = [
      { id: 1, name: "001_ok.sql", sql: "CREATE TABLE a (x int)" },
      { id: 2, name: "002_broken.sql", sql: "CREATE TABLE b (x int); SELECT * FROM no_such_table" },
    ];
    await expect(migrate(db, bad)).rejects.toThrow(ErrMigrationFailed);
    await expect(migrate(db, bad)).rejects.toThrow(/002_broken\.sql/);
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('a', 'b', 'schema_migrations')",
    );
    expect(rows[0]!.n).toBe(0);
  });

  it("serializes two concurrent migrations so each migration is applied once", async () => {
    const [a, b] = await Promise.all([migrate(db), migrate(db)]);
    expect([...a, ...b].sort()).toEqual(loadMigrations().map((m) => m.name));
  });

  it("keeps a thread's provider, owner and session across turns", async () => {
    await migrate(db);
    const ref = { teamId: "T1", channelId: "C1", threadTs: "1700000000.000100" };
    const key = threadKey(ref);
    expect(await getThreadSession(db, key)).toBeUndefined();
    const created = await ensureThreadSession(db, {
      ...ref,
      provider: "claude-code",
      ownerUserId: "U1",
      project: "web",
    });
    expect(created).toMatchObject({ threadKey: key, provider: "claude-code", sessionId: null, project: "web" });
    await setThreadSessionId(db, key, "sess-1");
    // A later turn by someone else with another provider does not take the thread over.
    const again = await ensureThreadSession(db, { ...ref, provider: "opencode", ownerUserId: "U2" });
    expect(again).toMatchObject({ provider: "claude-code", ownerUserId: "U1", sessionId: "sess-1", project: "web" });
    expect(again.lastRunAt).toBeInstanceOf(Date);
    await clearThreadSessionId(db, key);
    expect((await getThreadSession(db, key))?.sessionId).toBeNull();
  });

  it("claims a delivery key once, across concurrent claims", async () => {
    await migrate(db);
    const claims = await Promise.all(Array.from({ length: 10 }, () => claimDeliveryKey(db, "event:Ev1")));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await releaseDeliveryKey(db, "event:Ev1");
    expect(await claimDeliveryKey(db, "event:Ev1")).toBe(true);
    expect(await pruneDeliveryKeys(db, 24 * 3_600_000)).toBe(0);
    await db.query("UPDATE delivery_keys SET created_at = now() - interval '2 days'");
    expect(await pruneDeliveryKeys(db, 24 * 3_600_000)).toBe(1);
  });

  it("records audit entries with their detail", async () => {
    await migrate(db);
    await recordAudit(db, { actor: "U1", action: "run.start", threadKey: "T:C:1.2", detail: { provider: "opencode" } });
    await recordAudit(db, { actor: "U2", action: "run.cancel", threadKey: "T:C:1.2" });
    const entries = await listAudit(db, { threadKey: "T:C:1.2" });
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      ["U2", "run.cancel"],
      ["U1", "run.start"],
    ]);
    expect(entries[1]!.detail).toEqual({ provider: "opencode" });
  });

  it("delivers NOTIFY payloads to listeners and stops after unlisten", async () => {
    const got: string[] = [];
    const unlisten = await db.listen("ct_test", (p) => got.push(p));
    await db.notify("ct_test", "one");
    await expect.poll(() => got).toEqual(["one"]);
    await unlisten();
    await db.notify("ct_test", "two");
    await db.query("SELECT 1");
    expect(got).toEqual(["one"]);
  });

  it("rolls a failed transaction back and keeps serving queries", async () => {
    await migrate(db);
    await expect(
      db.transaction(async (tx) => {
        await recordAudit(tx, { actor: "U1", action: "run.start" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await listAudit(db)).toEqual([]);
  });
});
