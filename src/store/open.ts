import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import { openPGlite } from "./adapters/pglite.js";
import { openPostgres } from "./adapters/postgres.js";
import type { Database } from "./database.js";
import { migrate } from "./migrate.js";
import { expireOrphanedLeases } from "./queue/expire-orphaned-leases.js";

/**
 * The database the configuration names: PostgreSQL when DATABASE_URL is set, else the
 * embedded PGlite in CODETHREAD_DATA_DIR. Migrations are applied before it is returned.
 */
export async function openDatabase(
  config: Pick<Config, "database">,
  log: Logger,
  options: { migrate?: boolean } = {},
): Promise<Database> {
  const url = config.database.url?.reveal();
  const db = url ? await openPostgres(url, { log }) : await openPGlite(config.database.dataDir);
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
