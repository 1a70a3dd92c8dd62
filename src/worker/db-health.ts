import type { Database, Queryable, QueryOptions, QueryResult, Row } from "../store/database.js";
import { isTransientDbError } from "../store/retry.js";

/**
 * How long this process has reached the database without a connection failure.
 *
 * The reaper uses it: after an outage every lease may have run out, though the workers holding them
 * are alive and only waited for the database like everyone else. Reaping at once would interrupt
 * runs that are fine. So a reaper interrupts nobody until its process has had the database for one
 * full lease — by then every live holder has renewed (its heartbeat runs every lease/3 and retries
 * through the outage), and only the leases of dead processes are still expired.
 */
export class DbHealth {
  #down = false;
  #healthySince: number;

  /** `healthySince`: when the current good stretch began (a start, or -Infinity for "always"). */
  constructor(healthySince = Date.now()) {
    this.#healthySince = healthySince;
  }

  ok(now = Date.now()): void {
    if (!this.#down) return;
    this.#down = false;
    this.#healthySince = now;
  }

  failed(): void {
    this.#down = true;
  }

  /** Milliseconds of uninterrupted contact with the database (0 while it is unreachable). */
  stableForMs(now = Date.now()): number {
    return this.#down ? 0 : now - this.#healthySince;
  }
}

/** `db`, reporting every connection failure and every answer to `health`. */
export function observeHealth(db: Database, health: DbHealth): Database {
  const watch = <T>(p: Promise<T>): Promise<T> =>
    p.then(
      (v) => {
        health.ok();
        return v;
      },
      (err: unknown) => {
        if (isTransientDbError(err)) health.failed();
        throw err;
      },
    );
  return {
    kind: db.kind,
    query: <R extends Row = Row>(
      sql: string,
      params?: readonly unknown[],
      options?: QueryOptions,
    ): Promise<QueryResult<R>> => watch(db.query<R>(sql, params, options)),
    exec: (sql: string) => watch(db.exec(sql)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => watch(db.transaction(fn)),
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    notify: (channel, payload) => watch(db.notify(channel, payload)),
    describe: () => db.describe(),
    close: () => db.close(),
  };
}
