import { CodethreadError } from "../errors.js";

/** The database cannot be reached or opened. */
export class ErrDatabaseUnavailable extends CodethreadError {
  constructor(where: string, reason: string, cause?: unknown) {
    super("database_unavailable", `Cannot open the database (${where}): ${reason}`, { where }, { cause });
  }
}

/** Another process already uses the embedded database directory. */
export class ErrDataDirLocked extends CodethreadError {
  constructor(dataDir: string, holderPid: number, holderHost: string) {
    super(
      "data_dir_locked",
      `The embedded database in ${dataDir} is in use by process ${holderPid} on ${holderHost}. ` +
        "PGlite serves one process only: stop the other codethread process, or set DATABASE_URL to share a PostgreSQL database between replicas.",
      { dataDir, holderPid, holderHost },
    );
  }
}

/** The embedded database directory cannot be created or written. */
export class ErrDataDirNotWritable extends CodethreadError {
  constructor(dataDir: string, reason: string) {
    super(
      "data_dir_not_writable",
      `Cannot write the embedded database directory ${dataDir}: ${reason}. ` +
        "Set CODETHREAD_DATA_DIR to a writable directory, or DATABASE_URL to use PostgreSQL.",
      { dataDir },
    );
  }
}

/** A migration failed; nothing of the batch was applied. */
export class ErrMigrationFailed extends CodethreadError {
  constructor(migration: string, reason: string, cause?: unknown) {
    super(
      "migration_failed",
      `Migration ${migration} failed, so no pending migration was applied: ${reason}`,
      { migration },
      { cause },
    );
  }
}

/** Node socket errors and PostgreSQL error classes that mean "the server did not answer", not "it refused". */
const unreachableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND"]);

/**
 * True when a query failed because the database could not be reached (connection refused or lost,
 * server shutting down: SQLSTATE classes 08 and 57), as opposed to the database refusing the query.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  if (err instanceof ErrDatabaseUnavailable) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string") return /connection|terminat|timeout/i.test(String((err as Error)?.message ?? ""));
  return unreachableCodes.has(code) || code.startsWith("08") || code.startsWith("57");
}
