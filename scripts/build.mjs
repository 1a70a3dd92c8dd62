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

// `codethread run` from one bundle (dist/bundle/run.js, its providers in chunks beside it): Node 20 loads
// ES modules one file at a time, and the ~140 files on that path (95 of them zod's) were half of what `run`
// adds before the agent starts (docs/BENCHMARKS.md, "CLI start-up"). zod is bundled; every other package stays
// external. The bundle is optional: without esbuild (a dev dependency) `run` loads dist/cli/commands/run.js.
const bundleDir = path.join(root, "dist", "bundle");
rmSync(bundleDir, { recursive: true, force: true });
let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  process.stdout.write("codethread: esbuild is not installed; `run` loads dist/ module by module.\n");
}
if (esbuild) {
  const externalButZod = {
    name: "external-but-zod",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) =>
        args.path === "zod" || args.path.startsWith("zod/") ? undefined : { path: args.path, external: true },
      );
    },
  };
  await esbuild.build({
    entryPoints: [path.join(root, "src", "cli", "commands", "run.ts")],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: bundleDir,
    chunkNames: "[name]-[hash]",
    minify: true,
    keepNames: true, // error classes keep their names (CodethreadError sets name from the class)
    plugins: [externalButZod],
    logLevel: "warning",
  });
}
