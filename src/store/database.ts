/**
 * The one database interface the rest of codethread uses. Two adapters implement it with
 * the same SQL: `pg` (PostgreSQL: DATABASE_URL, or the embedded server of the default) and PGlite
 * (in this process: tests, and data directories PGlite created).
 *
 * Both adapters parse values alike: int8 → number, timestamptz → Date, json/jsonb → objects,
 * numeric → string.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for a SELECT with no rows). */
  rowCount: number;
}

/**
 * `name`: run as a named prepared statement on PostgreSQL (parsed and planned once per connection, then reused);
 * one name is always one SQL text. For the hot queue statements. PGlite ignores it.
 */
export interface QueryOptions {
  name?: string;
}

export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
  /** Run a script of several statements, without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * `postgres`: DATABASE_URL, possibly shared by replicas. `embedded-postgres` (a server this process
 * started) and `pglite` (in this process): the embedded default, one process only.
 */
export type DatabaseKind = "postgres" | "embedded-postgres" | "pglite";

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Run `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Receive NOTIFY payloads on `channel`. Returns the function that stops listening.
   * On PostgreSQL the listener reconnects by itself after a dropped connection.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /** A short description for logs and `doctor` (never contains a password). */
  describe(): string;
  close(): Promise<void>;
}
