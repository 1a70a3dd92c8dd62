#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (tsconfig.build.json, incremental) and ships the SQL
// migrations and the console's page beside the compiled code that reads them. `npm install` runs it (scripts/prepare.mjs).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);

const from = path.join(root, "src", "store", "migrations");
const to = path.join(root, "dist", "store", "migrations");
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const f of readdirSync(from).filter((f) => f.endsWith(".sql"))) copyFileSync(path.join(from, f), path.join(to, f));

// The console's page (plain JS + CSS, no build step) is read beside the compiled page-routes.js.
const pageFrom = path.join(root, "src", "console", "page");
const pageTo = path.join(root, "dist", "console", "page");
rmSync(pageTo, { recursive: true, force: true });
mkdirSync(pageTo, { recursive: true });
for (const f of readdirSync(pageFrom)) copyFileSync(path.join(pageFrom, f), path.join(pageTo, f));
