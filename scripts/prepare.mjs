#!/usr/bin/env node
// npm's `prepare` hook: runs after `npm install` / `npm ci` in a checkout, so that
// `npm install && npm start` works from a fresh clone:
//   1. builds dist/ (`npm run build`);
//   2. installs the pinned agent CLIs the bot runs by default (`npm run agents:install -- --defaults`,
//      with progress), unless CODETHREAD_SKIP_AGENT_INSTALL=1 (e.g. a container that brings its own).
// A failed agent install does not fail `npm install`: the bot can use CLAUDE_BIN / OPENCODE_BIN or
// a vendor install on PATH instead, and `codethread doctor` says what is missing.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const node = (script, ...args) =>
  spawnSync(process.execPath, [path.join(root, "scripts", script), ...args], { stdio: "inherit" }).status;

let hasTypeScript = true;
try {
  createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  hasTypeScript = false;
}
if (hasTypeScript) {
  process.stdout.write("codethread: building dist/ (npm run build)…\n");
  const code = node("build.mjs");
  if (code !== 0) process.exit(code ?? 1);
} else {
  // `npm install --omit=dev`: no compiler. A production image copies a dist/ built beforehand.
  process.stdout.write("codethread: typescript is not installed (--omit=dev?); not building dist/.\n");
}

if (process.env.CODETHREAD_SKIP_AGENT_INSTALL === "1") {
  process.stdout.write("codethread: CODETHREAD_SKIP_AGENT_INSTALL=1, not installing the agent CLIs.\n");
} else if (node("install-agents.mjs", "--defaults") !== 0) {
  process.stdout.write(
    "\ncodethread: WARNING: the pinned agent CLIs did not install (see above). Retry with `npm run agents:install`,\n" +
      "or set CLAUDE_BIN / OPENCODE_BIN to binaries you have; `npx codethread doctor` checks them.\n",
  );
}
