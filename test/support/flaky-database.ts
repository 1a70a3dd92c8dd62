import type { Database, Queryable, QueryOptions, QueryResult, Row } from "../../src/store/database.js";

/**
 * An outage for a database that cannot really go away (PGlite lives in the test's process): while
 * cut, every new call fails the way `pg` fails against a stopped server — `connect ECONNREFUSED`
 * with its errno fields — and calls already running finish. The PostgreSQL target uses a real
 * TcpProxy instead; this is only the in-process stand-in.
 */
export class FlakyDatabase implements Database {
  #cut = false;
  #refusing: ((sql: string) => boolean) | undefined;
  #loseAnswer: ((sql: string) => boolean)[] = [];
  /** Calls refused so far. */
  refused = 0;
  /** Statements that ran but whose answer was "lost". */
  lost: string[] = [];

  constructor(readonly inner: Database) {}

  get kind() {
    return this.inner.kind;
  }

  cut(): void {
    this.#cut = true;
  }

  restore(): void {
    this.#cut = false;
    this.#refusing = undefined;
  }

  /** Refuse only the statements matching `match` (as if their connections failed) until `restore()`. */
  refuse(match: (sql: string) => boolean): void {
    this.#refusing = match;
  }

  /**
   * The next statement matching `match` runs (and commits), then fails as if the connection dropped
   * before its answer arrived: the case where a retry must not do the work twice.
   */
  loseNextAnswer(match: (sql: string) => boolean): void {
    this.#loseAnswer.push(match);
  }

  #gate(sql?: string): void {
    if (!this.#cut && !(sql !== undefined && this.#refusing?.(sql))) return;
    this.refused++;
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
      errno: -111,
      syscall: "connect",
      address: "127.0.0.1",
      port: 5432,
    });
  }

  async query<R extends Row = Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    this.#gate(sql);
    const lose = this.#loseAnswer.findIndex((m) => m(sql));
    if (lose < 0) return this.inner.query<R>(sql, params, options);
    this.#loseAnswer.splice(lose, 1);
    await this.inner.query<R>(sql, params, options);
    this.lost.push(sql);
    throw new Error("Connection terminated unexpectedly");
  }

  async exec(sql: string): Promise<void> {
    this.#gate();
    return this.inner.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.#gate();
    return this.inner.transaction(fn);
  }

  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    return this.inner.listen(channel, onPayload);
  }

  async notify(channel: string, payload: string): Promise<void> {
    this.#gate();
    return this.inner.notify(channel, payload);
  }

  describe(): string {
    return `${this.inner.describe()} (flaky)`;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
