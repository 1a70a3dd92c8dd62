import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated PGlite dump of ./pglite-template-setup.ts. */
    pgliteTemplate: string;
  }
}

let template: Blob | undefined;

/**
 * A migrated in-memory PGlite database, started from the run's dump (about a second instead of
 * initdb's several); without the globalSetup, created and migrated. Store suites keep opening
 * fresh databases (./databases.ts): they test the migrations themselves.
 */
export async function openMigratedPGlite(): Promise<Database> {
  const file = inject("pgliteTemplate");
  if (!file) {
    const db = await openPGlite();
    await migrate(db);
    return db;
  }
  template ??= new Blob([readFileSync(file)]);
  return openPGlite(undefined, { loadDataDir: template });
}
