import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { messageOf } from "../errors.js";
import type { Database } from "./database.js";
import { ErrMigrationFailed } from "./errors.js";

export interface Migration {
  /** The number in the file name: 1 for `001_initial.sql`. */
  id: number;
  name: string;
  sql: string;
}

export const MigrationsDir = fileURLToPath(new URL("./migrations/", import.meta.url));

/** Fixed advisory lock key: "codethread migrate". */
const MigrationLockKey = 0x636f6465;

/** The numbered `.sql` files of a directory, in order. */
export function loadMigrations(dir = MigrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({ id: Number(file.slice(0, 3)), name: file, sql: readFileSync(`${dir}/${file}`, "utf8") }));
}

/**
 * Apply every pending migration in one transaction under an advisory lock: two replicas
 * starting together apply each migration once, and a failure applies nothing.
 * Returns the names applied.
 */
export async function migrate(db: Database, migrations: Migration[] = loadMigrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MigrationLockKey]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ id: number }>("SELECT id FROM schema_migrations");
    const done = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new ErrMigrationFailed(m.name, messageOf(err), err);
      }
      await tx.query("INSERT INTO schema_migrations (id, name) VALUES ($1, $2)", [m.id, m.name]);
      applied.push(m.name);
    }
    return applied;
  });
}
