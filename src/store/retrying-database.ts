import type { Database, Queryable, QueryOptions, QueryResult, Row } from "./database.js";
import { type RetryPolicy, retryTransient } from "./retry.js";

/**
 * The same database, with every statement and every transaction retried through a short outage
 * (`retryTransient`). Only for callers whose statements are all safe to repeat — upserts, reads,
 * keyed inserts (delivery-key claims carry a claimant token, enqueues a dedupe key), appends whose
 * duplicate is harmless (audit records). The run handler and the Slack listeners use it; the
 * worker's own queue loop does not (a repeated claim would take more jobs than it runs).
 *
 * A transaction is retried as a whole when it fails transiently; its first attempt either rolled
 * back or committed with the answer lost, so `fn` must tolerate seeing its own earlier commit.
 */
class RetryingDatabase implements Database {
  constructor(
    readonly inner: Database,
    readonly policy: RetryPolicy,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  query<R extends Row = Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    return retryTransient(firstWords(sql), () => this.inner.query<R>(sql, params, options), this.policy);
  }

  exec(sql: string): Promise<void> {
    return retryTransient(firstWords(sql), () => this.inner.exec(sql), this.policy);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return retryTransient("transaction", () => this.inner.transaction(fn), this.policy);
  }

  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    return this.inner.listen(channel, onPayload);
  }

  notify(channel: string, payload: string): Promise<void> {
    return retryTransient("notify", () => this.inner.notify(channel, payload), this.policy);
  }

  describe(): string {
    return this.inner.describe();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** "UPDATE thread_sessions" — enough of a statement to name it in a log line, never its parameters. */
function firstWords(sql: string): string {
  return sql.trim().split(/\s+/).slice(0, 3).join(" ");
}

export function retryingDatabase(db: Database, policy: RetryPolicy): Database {
  return db instanceof RetryingDatabase ? db : new RetryingDatabase(db, policy);
}
