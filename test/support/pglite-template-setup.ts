import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { dumpPGlite, openPGlite } from "../../src/store/adapters/pglite.js";
import { loadMigrations, migrate } from "../../src/store/migrate.js";

/**
 * vitest globalSetup: opening an in-memory PGlite runs initdb, seconds per test file (5–9 s on a
 * busy machine). This migrates one database and dumps its data directory to
 * node_modules/.cache/codethread/, keyed by PGlite's package.json and the migrations' text, so later
 * runs (and the other projects of this run) reuse it; openMigratedPGlite (./pglite-template.ts)
 * starts each test file's database from it.
 */
export default async function setup(project: TestProject): Promise<void> {
  const pglite = readFileSync(path.resolve("node_modules/@electric-sql/pglite/package.json"), "utf8");
  const key = createHash("sha256").update(pglite).update(JSON.stringify(loadMigrations())).digest("hex").slice(0, 16);
  const dir = path.resolve("node_modules/.cache/codethread");
  const file = path.join(dir, `pglite-template-${key}.tar`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const db = await openPGlite();
    await migrate(db);
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await (await dumpPGlite(db)).arrayBuffer()));
    await db.close();
    renameSync(partial, file); // atomic: a concurrent setup writes the same bytes
  }
  project.provide("pgliteTemplate", file);
}
