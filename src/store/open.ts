import { existsSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import { ClusterDirName, openEmbeddedPostgres } from "./adapters/embedded-postgres.js";
import { openPostgres } from "./adapters/postgres.js";
import { findPostgresBinaries } from "./adapters/postgres-binaries.js";
import type { Database } from "./database.js";
import { migrate } from "./migrate.js";
import { expireOrphanedLeases } from "./queue/expire-orphaned-leases.js";

/** PGlite's own directory inside CODETHREAD_DATA_DIR (before the embedded server, the default). */
const PGliteDirName = "pgdata";

/**
 * The embedded default in `dataDir`: a PostgreSQL server from the npm-shipped binaries, in its own
 * process (off the bot's event loop, a fraction of PGlite's memory). PGlite in this process where
 * that cannot run (no binaries for this platform, root without user namespaces), and for a data
 * directory PGlite created (its data stays readable; PGlite's files are not the server's format).
 */
async function openEmbedded(dataDir: string, log: Logger): Promise<Database> {
  // PGlite (a large WASM module) is imported only when it is used.
  const openPGlite = async () => (await import("./adapters/pglite.js")).openPGlite(dataDir);
  const pglite = existsSync(path.join(dataDir, PGliteDirName));
  if (pglite && !existsSync(path.join(dataDir, ClusterDirName))) {
    // A note, not a warning: nothing is wrong, and `audit` prints warnings among its records.
    log.info(
      { dataDir },
      "this data directory holds a PGlite database: using PGlite in this process (start with a new CODETHREAD_DATA_DIR for the lighter embedded PostgreSQL)",
    );
    return openPGlite();
  }
  const found = await findPostgresBinaries();
  if (!found.ok) {
    log.warn({ reason: found.reason }, "the embedded PostgreSQL cannot run here: using PGlite in this process");
    return openPGlite();
  }
  return openEmbeddedPostgres(dataDir, found.binaries, { log });
}

/**
 * The database the configuration names: PostgreSQL when DATABASE_URL is set, else the embedded
 * database in CODETHREAD_DATA_DIR (see openEmbedded). Migrations are applied before it is returned.
 */
export async function openDatabase(
  config: Pick<Config, "database">,
  log: Logger,
  options: { migrate?: boolean } = {},
): Promise<Database> {
  const url = config.database.url?.reveal();
  const db = url ? await openPostgres(url, { log }) : await openEmbedded(config.database.dataDir, log);
  if (options.migrate !== false) {
    try {
      const applied = await migrate(db);
      if (applied.length) log.info({ applied, database: db.describe() }, "database migrated");
      const orphaned = await expireOrphanedLeases(db);
      if (orphaned) log.warn({ orphaned }, "runs left running by a previous process will be reported as interrupted");
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }
  return db;
}
