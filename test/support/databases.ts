import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe } from "vitest";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import { openPostgres } from "../../src/store/adapters/postgres.js";
import type { Database } from "../../src/store/database.js";

/**
 * The database targets every store suite runs on: PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set (CI sets it). Each `create()` on PostgreSQL makes a fresh
 * database, so test files running in parallel never share tables.
 */
export interface DatabaseTarget {
  kind: "pglite" | "postgres";
  /** A new, empty database (not migrated). */
  create(): Promise<Database>;
  /** For multi-process tests: the URL of the database `create()` made last (PostgreSQL only). */
  lastUrl?: () => string;
}

const adminUrl = process.env.TEST_DATABASE_URL;

async function createPostgresDatabase(
  serverUrl: string | undefined = adminUrl,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `codethread_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A fresh PostgreSQL database on the server of `serverUrl` (default TEST_DATABASE_URL; benches pass theirs), dropped by the returned function. */
export const freshPostgresDatabase = createPostgresDatabase;

export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ kind: "pglite", create: () => openPGlite() }];
  if (adminUrl) {
    let last = "";
    targets.push({
      kind: "postgres",
      create: async () => {
        const { url, drop } = await createPostgresDatabase();
        last = url;
        const db = await openPostgres(url);
        const close = db.close.bind(db);
        return Object.assign(db, {
          close: async () => {
            await close();
            await drop();
          },
        });
      },
      lastUrl: () => last,
    });
  }
  return targets;
}

/** Run the same suite on every target; test names carry `[pglite]` / `[postgres]`. */
export function describeEachDatabase(name: string, suite: (target: DatabaseTarget) => void): void {
  for (const target of databaseTargets()) {
    describe(`${name} [${target.kind}]`, () => suite(target));
  }
}
