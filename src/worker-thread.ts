import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread running `module`: a compiled `.js` file directly; a `.ts` source (from the sources,
 * the tests and the benches) through tsx, which the worker registers itself — Node 20 does not pass
 * a parent's `--import` hooks to its workers.
 */
export function startWorkerThread(module: URL, options: WorkerOptions = {}): Worker {
  if (!module.pathname.endsWith(".ts")) return new Worker(module, options);
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const tsxApi = pathToFileURL(path.join(tsxDir, "dist", "esm", "api", "index.mjs")).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((t) => { t.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
