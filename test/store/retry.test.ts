import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/database.js";
import { claimDeliveryKey } from "../../src/store/delivery-keys.js";
import { ErrDatabaseRetryExhausted } from "../../src/store/errors.js";
import { migrate } from "../../src/store/migrate.js";
import { isTransientDbError, retryTransient } from "../../src/store/retry.js";
import { retryingDatabase } from "../../src/store/retrying-database.js";
import { describeEachDatabase } from "../support/databases.js";
import { FlakyDatabase } from "../support/flaky-database.js";

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("what counts as a database outage", () => {
  it("a refused connection, as pg reports it, is transient", async () => {
    const client = new pg.Client({ connectionString: `postgresql://x@127.0.0.1:${await closedPort()}/x` });
    const err = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isTransientDbError(err)).toBe(true);
  });

  it("connection loss, admin shutdown and class 08 are transient; answers to the statement are not", () => {
    const sqlstate = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });
    expect(isTransientDbError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isTransientDbError(sqlstate("57P01"))).toBe(true); // admin_shutdown: a restarting server
    expect(isTransientDbError(sqlstate("57P03"))).toBe(true); // cannot_connect_now: still starting
    expect(isTransientDbError(sqlstate("08006"))).toBe(true); // connection_failure
    expect(isTransientDbError(new Error("wrapped", { cause: sqlstate("08001") }))).toBe(true);
    expect(isTransientDbError(sqlstate("23505"))).toBe(false); // unique_violation
    expect(isTransientDbError(sqlstate("23503"))).toBe(false); // foreign_key_violation
    expect(isTransientDbError(sqlstate("57014"))).toBe(false); // statement timeout: the statement's own answer
    expect(isTransientDbError(sqlstate("40001"))).toBe(false);
    expect(isTransientDbError(new Error("syntax error at or near"))).toBe(false);
  });
});

describe("retryTransient", () => {
  const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

  it("waits out an outage and returns the answer", async () => {
    let calls = 0;
    const answer = await retryTransient(
      "test",
      async () => {
        if (++calls < 4) throw refused();
        return "ok";
      },
      { budgetMs: 10_000, initialDelayMs: 5 },
    );
    expect([answer, calls]).toEqual(["ok", 4]);
  });

  it("throws a constraint violation at once, without retrying", async () => {
    let calls = 0;
    const violation = Object.assign(new Error("duplicate key"), { code: "23505" });
    await expect(
      retryTransient(
        "test",
        async () => {
          calls++;
          throw violation;
        },
        { budgetMs: 10_000 },
      ),
    ).rejects.toBe(violation);
    expect(calls).toBe(1);
  });

  it("gives up after its budget with a named error that keeps the cause", async () => {
    let calls = 0;
    const err = await retryTransient(
      "record a job outcome",
      async () => {
        calls++;
        throw refused();
      },
      { budgetMs: 200, initialDelayMs: 5, maxDelayMs: 20 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrDatabaseRetryExhausted);
    expect(err).toMatchObject({ code: "database_unavailable", context: { what: "record a job outcome" } });
    expect((err as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
    expect(calls).toBeGreaterThan(1);
  });
});

describeEachDatabase("retrying database", (target) => {
  let base: Database;
  let flaky: FlakyDatabase;
  beforeAll(async () => {
    base = await target.create();
    await migrate(base);
    flaky = new FlakyDatabase(base);
  });
  afterAll(async () => {
    await base.close();
  });

  it("a delivery-key claim repeated after its answer was lost is still the first; another delivery's is not", async () => {
    const db = retryingDatabase(flaky, { budgetMs: 5_000, initialDelayMs: 5 });
    flaky.loseNextAnswer((sql) => sql.startsWith("INSERT INTO delivery_keys"));
    expect(await claimDeliveryKey(db, "event:A:T:Ev1", "delivery-1")).toBe(true);
    expect(flaky.lost).toHaveLength(1);
    expect(await claimDeliveryKey(db, "event:A:T:Ev1", "delivery-2")).toBe(false);
  });

  it("waits for the database to come back, up to its budget", async () => {
    const db = retryingDatabase(flaky, { budgetMs: 30_000, initialDelayMs: 5, maxDelayMs: 50 });
    flaky.cut();
    const answer = db.query<{ n: number }>("SELECT 41 + 1 AS n");
    while (flaky.refused < 3) await new Promise((r) => setTimeout(r, 5));
    flaky.restore();
    expect((await answer).rows[0]?.n).toBe(42);
  });
});
