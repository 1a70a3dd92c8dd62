import { spawnSync } from "node:child_process";

/**
 * vitest globalSetup of the integration project: `npm run build` (incremental, ~2 s when
 * nothing changed) so tests that spawn bin/codethread.js run the compiled build of the
 * sources under test, as users do, never a stale one.
 */
export default function setup(): void {
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}
