import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package root: the nearest directory above this module with codethread's package.json
 * (src/, dist/ and the bundled `run` command in dist/bundle/ all resolve to it).
 */
export const PackageRoot = packageRootAbove(path.dirname(fileURLToPath(import.meta.url)));

/** True when this code runs from the TypeScript sources (tsx, vitest), false from the compiled dist/. */
export const RunningFromSources = import.meta.url.endsWith(".ts");

function packageRootAbove(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    const manifest = path.join(d, "package.json");
    if (existsSync(manifest) && /"name":\s*"codethread"/.test(readFileSync(manifest, "utf8"))) return d;
    if (path.dirname(d) === d) return path.resolve(dir, ".."); // not in a checkout: where it used to be
  }
}
