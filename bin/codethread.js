#!/usr/bin/env node
// Entry point: runs the compiled build in dist/ (`npm run build`; `npm install` builds it).
// Nothing else is imported here: `codethread --help` must start in about the time of `node -e 0`.
import module from "node:module";

// Node >= 22.1 caches compiled code between runs (a no-op on Node 20, which has no such cache).
module.enableCompileCache?.();
let main;
try {
  ({ main } = await import("../dist/cli/main.js"));
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND" || !String(err.message).includes("dist/cli/main.js")) throw err;
  process.stderr.write("codethread is not built yet: run `npm run build` (or `npm install`, which builds it).\n");
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
