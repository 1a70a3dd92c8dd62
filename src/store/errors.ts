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
        "The embedded database serves one process only: stop the other codethread process, or set DATABASE_URL to share a PostgreSQL database between replicas.",
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

/** The database stayed unreachable for the whole retry budget (CODETHREAD_DB_RETRY). */
export class ErrDatabaseRetryExhausted extends CodethreadError {
  constructor(what: string, attempts: number, downMs: number, reason: string, cause?: unknown) {
    super(
      "database_unavailable",
      `The database did not answer for ${Math.round(downMs / 1000)} s (${what}, ${attempts} attempts): ${reason}`,
      { what, attempts, downMs },
      { cause },
    );
  }
}

/** A claim's limit is written into its SQL as a number: anything but a positive integer is a programming error. */
export class ErrInvalidClaimLimit extends CodethreadError {
  constructor(limit: number) {
    super("invalid_claim_limit", `A claim's limit must be a positive integer, not ${String(limit)}`, { limit });
  }
}
