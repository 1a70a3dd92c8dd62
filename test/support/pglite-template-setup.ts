import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { dumpPGlite, openPGlite } from "../../src/store/adapters/pglite.js";
import { migrate } from "../../src/store/migrate.js";

/**
 * vitest globalSetup: opening an in-memory PGlite runs initdb, seconds per test file (5–9 s on a
 * busy machine). This does it once per run, applies the migrations and dumps the data directory
 * to a file that openMigratedPGlite (./pglite-template.ts) starts each test file's database from.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const file = path.join(tmpdir(), `codethread-pglite-template-${process.pid}-${project.name}.tar`);
  const db = await openPGlite();
  await migrate(db);
  writeFileSync(file, Buffer.from(await (await dumpPGlite(db)).arrayBuffer()));
  await db.close();
  project.provide("pgliteTemplate", file);
  return () => rmSync(file, { force: true });
}
