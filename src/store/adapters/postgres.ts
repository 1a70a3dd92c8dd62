import pg from "pg";
import { messageOf } from "../../errors.js";
import { type Logger, silentLogger } from "../../log.js";
import type { Database, Queryable, QueryOptions, QueryResult, Row } from "../database.js";
import { ErrDatabaseUnavailable } from "../errors.js";

const INT8 = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The host/port/database of a URL, without user or password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "postgres (unparseable URL)";
  }
}

/** pg's query config: named when `options.name` is set (a prepared statement per connection). */
function config(
  sql: string,
  params: readonly unknown[] | undefined,
  options: QueryOptions | undefined,
): pg.QueryConfig {
  return { text: sql, values: params as unknown[] | undefined, name: options?.name };
}

function wrap<R extends Row>(r: pg.QueryResult<R>): QueryResult<R> {
  return { rows: r.rows, rowCount: r.rowCount ?? 0 };
}

class PostgresDatabase implements Database {
  readonly kind = "postgres" as const;
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #log: Logger;
  readonly #channels = new Map<string, Set<(payload: string) => void>>();
  #listener: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #closed = false;

  constructor(url: string, log: Logger, max: number) {
    this.#url = url;
    this.#log = log;
    this.#pool = new pg.Pool({ connectionString: url, max, types: typeParsers, connectionTimeoutMillis: 10_000 });
    // An idle client that errors (server restart) must not crash the process.
    this.#pool.on("error", (err) => log.warn({ err: messageOf(err) }, "idle PostgreSQL connection failed"));
  }

  async query<R extends Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    return wrap(await this.#pool.query<R>(config(sql, params, options)));
  }

  async exec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      const tx: Queryable = {
        query: async <R extends Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
          wrap(await client.query<R>(config(sql, params, options))),
        exec: async (sql: string) => {
          await client.query(sql);
        },
      };
      const result = await fn(tx);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async #listenerClient(): Promise<pg.Client> {
    if (this.#listener) return this.#listener;
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#url, types: typeParsers });
      await client.connect();
      client.on("notification", (msg) => {
        for (const handler of this.#channels.get(msg.channel) ?? []) handler(msg.payload ?? "");
      });
      client.on("error", (err) => {
        this.#log.warn({ err: messageOf(err) }, "LISTEN connection lost; reconnecting");
        this.#listener = undefined;
        client.end().catch(() => undefined);
        this.#reconnect(1);
      });
      for (const channel of this.#channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      this.#listener = client;
      return client;
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  #reconnect(attempt: number): void {
    if (this.#closed) return;
    // Capped low: after a database restart the listener is back within seconds (polling covers the gap).
    const delay = Math.min(5_000, 250 * 2 ** attempt);
    setTimeout(() => {
      if (this.#closed) return;
      this.#listenerClient().catch(() => this.#reconnect(attempt + 1));
    }, delay).unref();
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let handlers = this.#channels.get(channel);
    const first = !handlers;
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(channel, handlers);
    }
    handlers.add(onPayload);
    const client = await this.#listenerClient();
    if (first) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    return async () => {
      handlers.delete(onPayload);
      if (handlers.size === 0) {
        this.#channels.delete(channel);
        await this.#listener?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => undefined);
      }
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.#pool.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  describe(): string {
    return describeUrl(this.#url);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.#pool.end();
  }
}

/** Open a PostgreSQL pool and check that it answers. */
export async function openPostgres(
  url: string,
  options: { log?: Logger; maxConnections?: number } = {},
): Promise<Database> {
  const db = new PostgresDatabase(url, options.log ?? silentLogger, options.maxConnections ?? 10);
  try {
    await db.query("SELECT 1");
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new ErrDatabaseUnavailable(describeUrl(url), messageOf(err), err);
  }
  return db;
}
