import { PGlite, types } from "@electric-sql/pglite";
import { CodethreadError, messageOf } from "../../errors.js";
import type { Database, Queryable, QueryResult, Row } from "../database.js";
import { ErrDatabaseUnavailable } from "../errors.js";
import { lockWritableDataDir } from "./dir-lock.js";
import { Mutex } from "./mutex.js";

/**
 * Embedded PostgreSQL (PGlite, WASM) in this process. One connection: every query and
 * transaction goes through one FIFO mutex, so a query never lands inside another caller's
 * transaction. The data directory is locked against a second process.
 */
class PGliteDatabase implements Database {
  readonly kind = "pglite" as const;
  readonly #db: PGlite;
  readonly #mutex = new Mutex();
  readonly #where: string;
  readonly #release: () => void;

  constructor(db: PGlite, where: string, release: () => void) {
    this.#db = db;
    this.#where = where;
    this.#release = release;
  }

  query<R extends Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.#mutex.run(() => this.#raw<R>(this.#db, sql, params));
  }

  async #raw<R extends Row>(on: Pick<PGlite, "query">, sql: string, params?: readonly unknown[]) {
    const r = await on.query<R>(sql, params as unknown[] | undefined);
    return { rows: r.rows, rowCount: r.affectedRows ?? 0 };
  }

  exec(sql: string): Promise<void> {
    return this.#mutex.run(async () => {
      await this.#db.exec(sql);
    });
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#mutex.run(() =>
      this.#db.transaction(async (t) => {
        const tx: Queryable = {
          query: (sql, params) => this.#raw(t, sql, params),
          exec: async (sql) => {
            await t.exec(sql);
          },
        };
        return fn(tx);
      }),
    );
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.#mutex.run(() => this.#db.listen(channel, onPayload));
    return () => this.#mutex.run(() => unlisten());
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  describe(): string {
    return this.#where;
  }

  /** The data directory as a tarball, for `openPGlite(undefined, { loadDataDir })`. */
  dump(): Promise<Blob> {
    return this.#mutex.run(() => this.#db.dumpDataDir("none"));
  }

  async close(): Promise<void> {
    try {
      await this.#mutex.run(() => this.#db.close());
    } finally {
      this.#release();
    }
  }
}

/**
 * Open (or create) the embedded database. `dataDir` undefined: in memory (tests).
 * `loadDataDir`: start from a dump (`PGlite.dumpDataDir`) instead of running initdb — seconds
 * faster; the tests open their in-memory databases from one migrated dump.
 */
export async function openPGlite(dataDir?: string, options: { loadDataDir?: Blob } = {}): Promise<Database> {
  let release = () => {};
  if (dataDir) release = lockWritableDataDir(dataDir);
  const where = dataDir ? `pglite ${dataDir}` : "pglite (in memory)";
  try {
    const db = await PGlite.create(dataDir ? `file://${dataDir}/pgdata` : undefined, {
      parsers: { [types.NUMERIC]: (v: string) => v },
      loadDataDir: options.loadDataDir,
    });
    return new PGliteDatabase(db, where, release);
  } catch (err) {
    release();
    throw new ErrDatabaseUnavailable(where, messageOf(err), err);
  }
}

/** A dump of a database `openPGlite` opened (tests start their in-memory databases from one). */
export function dumpPGlite(db: Database): Promise<Blob> {
  if (!(db instanceof PGliteDatabase))
    throw new CodethreadError("not_pglite", `${db.describe()} is not a PGlite database`);
  return db.dump();
}
