import { openPostgres } from "../../src/store/adapters/postgres.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import type { DatabaseTarget } from "./databases.js";
import { FlakyDatabase } from "./flaky-database.js";
import { TcpProxy } from "./tcp-proxy.js";

/**
 * A migrated, fresh database of a target that can be made unreachable. PostgreSQL: the code under
 * test connects through a TcpProxy (`cut` drops and refuses its connections; the shared server is
 * never touched). PGlite: a FlakyDatabase. `direct` is the test's own connection, never cut.
 */
export interface OutageDatabase {
  /** What the code under test uses (with `loseNextAnswer` on every target). */
  db: FlakyDatabase;
  /** The test's own view of the same data. */
  direct: Database;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function openOutageDatabase(target: DatabaseTarget): Promise<OutageDatabase> {
  const direct = await target.create();
  await migrate(direct);
  if (target.kind === "pglite") {
    const db = new FlakyDatabase(direct);
    return {
      db,
      direct,
      cut: async () => db.cut(),
      restore: async () => db.restore(),
      close: () => direct.close(),
    };
  }
  const url = target.lastUrl!();
  const proxy = await TcpProxy.forUrl(url);
  const pooled = await openPostgres(proxy.url(url), { maxConnections: 8 });
  const db = new FlakyDatabase(pooled);
  return {
    db,
    direct,
    cut: () => proxy.cut(),
    restore: () => proxy.restore(),
    close: async () => {
      await proxy.restore();
      await pooled.close().catch(() => undefined);
      await proxy.close();
      await direct.close();
    },
  };
}
