import { hasCode, messageOf } from "../errors.js";
import { type Logger, silentLogger } from "../log.js";
import { sleep } from "../sleep.js";
import { ErrDatabaseRetryExhausted } from "./errors.js";

/**
 * Retrying database calls through a short outage (a PostgreSQL restart, a failover, a network
 * blip) — and nothing else.
 *
 * Transient: the connection could not be made or was lost (Node socket errors, pg's
 * "Connection terminated…" family, the pool's connect timeout), SQLSTATE class 08 (connection
 * exception), 57P01/57P02/57P03 (admin shutdown, crash shutdown, cannot connect now — a
 * restarting server). Everything else — constraint violations (23xxx), syntax errors, a
 * statement_timeout (57014), serialization failures — is the statement's own answer and is
 * thrown at once: retrying it would give the same answer, or worse, do it twice.
 */
const TransientSocketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
]);
const TransientSqlStates = new Set(["57P01", "57P02", "57P03"]);
const TransientMessages = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /timeout exceeded when trying to connect/,
  /^Client was closed and is not queryable/,
  /^terminating connection due to administrator command/,
];

/** True for a failure to reach the database (see above); false for anything the database answered. */
export function isTransientDbError(err: unknown, depth = 0): boolean {
  if (typeof err !== "object" || err === null || depth > 4) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (TransientSocketCodes.has(code) || TransientSqlStates.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    // Any other five-character SQLSTATE is the server's answer to the statement.
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  if (err instanceof AggregateError && err.errors.some((e) => isTransientDbError(e, depth + 1))) return true;
  if (err instanceof Error && TransientMessages.some((re) => re.test(err.message))) return true;
  return isTransientDbError((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * The database could not be reached: a transient failure, or one of our own errors saying so
 * (it could not be opened, or stayed away for a whole retry budget) — as opposed to the database
 * refusing the statement (an invalid value, a constraint), which trying again will not fix.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  return hasCode(err, "database_unavailable") || isTransientDbError(err);
}

export interface RetryPolicy {
  /** Total time to keep trying, from the first failure (CODETHREAD_DB_RETRY). */
  budgetMs: number;
  /** First back-off (default 100 ms); doubles up to `maxDelayMs` (default 2 s), with jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  log?: Logger;
}

/** The default budget: a PostgreSQL restart or failover takes seconds to tens of seconds. */
export const DefaultDbRetryMs = 60_000;

/**
 * Run `fn`; while it fails transiently, wait and run it again, until `budgetMs` after the first
 * failure. `fn` must be safe to repeat: its first attempt may have committed with the answer lost
 * on the way back. Non-transient errors are rethrown at once; when the budget is spent the last
 * error is wrapped in ErrDatabaseRetryExhausted (code `database_unavailable`).
 *
 * Bound: at most `budgetMs` plus one attempt (a connect attempt is bounded by the pool's
 * connection timeout) — a caller is never held longer.
 */
export async function retryTransient<T>(what: string, fn: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const log = policy.log ?? silentLogger;
  const maxDelay = policy.maxDelayMs ?? 2_000;
  let delay = policy.initialDelayMs ?? 100;
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await fn();
      if (firstFailure !== undefined)
        log.info({ what, attempts: attempt, downMs: Date.now() - firstFailure }, "database answered again");
      return result;
    } catch (err) {
      if (!isTransientDbError(err)) throw err;
      const now = Date.now();
      firstFailure ??= now;
      const spent = now - firstFailure;
      if (spent >= policy.budgetMs) throw new ErrDatabaseRetryExhausted(what, attempt, spent, messageOf(err), err);
      if (attempt === 1) log.warn({ what, err: messageOf(err) }, "database unreachable; retrying");
      const wait = Math.min(delay * (0.5 + Math.random() / 2), policy.budgetMs - spent);
      await sleep(wait, undefined, { keepAlive: true });
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
