#!/usr/bin/env node
// `npm run agents:install [-- --defaults] [-- ID[@VERSION]…]`: installs the pinned agent CLIs of
// agent-clis.json into .agents/<id>@<version>/ (outside node_modules: they are tools the bot runs,
// like kubectl, not libraries it imports). Plain Node, no dependencies: it runs before anything else.
//
//   (no argument)   every pinned version (what the tests and CI need)
//   --defaults      the first version of each CLI only (what the bot runs; `npm install` does this)
//   ID[@VERSION]    just those, e.g. claude-code@2.1.197
//   --print ID[@V]  print the binary's path and exit (1 when it is not installed)
//
// Idempotent: a version whose marker file is present is skipped. Each install goes to a temporary
// directory that is renamed into place once the binary answers `--version`, so an interrupted
// install leaves nothing that looks installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pins = JSON.parse(readFileSync(path.join(root, "agent-clis.json"), "utf8"));
const installRoot = path.join(root, pins.installDir);
const MarkerFile = ".installed.json";
const HeartbeatMs = 10_000;

const out = (line) => process.stdout.write(`${line}\n`);
const fail = (line) => {
  process.stderr.write(`agents:install: ${line}\n`);
  process.exit(1);
};

/** `claude-code@2.1.197` → one target; `claude-code` → its first (default) version, or every version. */
function targetsOf(spec, allVersions) {
  const [id, version] = spec.split("@");
  const cli = pins.clis[id];
  if (!cli) fail(`unknown agent CLI "${id}" (pinned: ${Object.keys(pins.clis).join(", ")})`);
  if (version && !cli.versions.includes(version))
    fail(`${id} ${version} is not pinned (pinned: ${cli.versions.join(", ")}); edit agent-clis.json to add it`);
  const versions = version ? [version] : allVersions ? cli.versions : cli.versions.slice(0, 1);
  return versions.map((v) => {
    const dir = path.join(installRoot, `${id}@${v}`);
    return { id, version: v, cli, dir, bin: path.join(dir, "node_modules", ".bin", cli.bin) };
  });
}

const isInstalled = (t) => existsSync(path.join(t.dir, MarkerFile)) && existsSync(t.bin);

/** The npm that runs this script (npm sets npm_execpath), else `npm` on PATH. */
function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.c?js$/.test(cli)) return [process.execPath, [cli]];
  return [process.platform === "win32" ? "npm.cmd" : "npm", []];
}

function versionOf(bin) {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** npm install of the package.json in `dir` (one pinned package), showing each tarball fetched and a heartbeat. */
function npmInstall(dir) {
  const [cmd, pre] = npmCommand();
  const args = [
    ...pre,
    "install",
    "--prefix",
    dir,
    "--no-audit",
    "--no-fund",
    "--no-package-lock",
    // claude-code 2.1.198+ declares node >= 22, but what runs is a native binary (Node is not used).
    "--engine-strict=false",
    "--loglevel=http",
  ];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], shell: false });
    const tail = [];
    const onLine = (line) => {
      const fetched = /GET 200 (\S+\.tgz) (\d+)ms/.exec(line);
      if (fetched) out(`    fetched ${fetched[1].split("/").pop()} (${seconds(Number(fetched[2]))})`);
      else if (
        /\bnpm (error|ERR!)/.test(line) ||
        (/npm warn/.test(line) && !/EBADENGINE|allowScripts|install-scripts/.test(line))
      )
        out(`    ${line}`);
      tail.push(line);
      if (tail.length > 40) tail.shift();
    };
    createInterface({ input: child.stdout }).on("line", onLine);
    createInterface({ input: child.stderr }).on("line", onLine);
    const beat = setInterval(() => out(`    … ${seconds(Date.now() - started)}`), HeartbeatMs);
    const stop = () => child.kill("SIGTERM");
    process.once("SIGINT", stop);
    child.once("error", (err) => {
      clearInterval(beat);
      resolve({ ok: false, detail: `${cmd} could not start: ${err.message}` });
    });
    child.once("close", (code, signal) => {
      clearInterval(beat);
      process.off("SIGINT", stop);
      resolve({ ok: code === 0, detail: `npm exited with ${signal ?? code}:\n${tail.slice(-15).join("\n")}` });
    });
  });
}

async function install(t) {
  if (isInstalled(t)) {
    out(`✓ ${t.id} ${t.version} already installed`);
    return;
  }
  out(`↓ ${t.id} ${t.version}: installing ${t.cli.package}@${t.version} (a native binary of a few hundred MB)…`);
  const started = Date.now();
  const partial = `${t.dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const manifest = {
    private: true,
    description: "installed by scripts/install-agents.mjs",
    dependencies: { [t.cli.package]: t.version },
  };
  writeFileSync(path.join(partial, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const cleanup = () => rmSync(partial, { recursive: true, force: true });
  const npm = await npmInstall(partial);
  if (!npm.ok) {
    cleanup();
    fail(`${t.id} ${t.version} did not install; ${npm.detail}`);
  }
  rmSync(t.dir, { recursive: true, force: true }); // a half-installed leftover without its marker
  try {
    renameSync(partial, t.dir);
  } catch (err) {
    cleanup();
    if (!isInstalled(t)) fail(`could not move the install into ${t.dir}: ${err.message}`);
    out(`✓ ${t.id} ${t.version} was installed by another process meanwhile`);
    return;
  }
  const version = versionOf(t.bin);
  if (!version?.includes(t.version)) {
    rmSync(t.dir, { recursive: true, force: true });
    fail(`${t.bin} --version printed ${JSON.stringify(version ?? "nothing")}, expected ${t.version}`);
  }
  writeFileSync(
    path.join(t.dir, MarkerFile),
    `${JSON.stringify({ package: t.cli.package, version: t.version, reports: version, at: new Date().toISOString() })}\n`,
  );
  out(`✓ ${t.id} ${t.version} installed in ${seconds(Date.now() - started)} (${version})`);
}

const argv = process.argv.slice(2);
if (argv[0] === "--print") {
  const [t] = targetsOf(argv[1] ?? fail("--print needs an ID[@VERSION]"), false);
  if (!isInstalled(t)) fail(`${t.id} ${t.version} is not installed; run: npm run agents:install`);
  out(t.bin);
  process.exit(0);
}
const defaultsOnly = argv.includes("--defaults");
const specs = argv.filter((a) => !a.startsWith("--"));
const targets = (specs.length ? specs : Object.keys(pins.clis)).flatMap((s) => targetsOf(s, !defaultsOnly));
out(`Agent CLIs → ${path.relative(process.cwd(), installRoot) || "."}/ (pinned in agent-clis.json)`);
for (const t of targets) await install(t);
out("\nBinaries (used when CLAUDE_BIN / OPENCODE_BIN are unset; the first version of each is the default):");
for (const t of targets) out(`  ${t.id.padEnd(12)} ${t.version.padEnd(9)} ${t.bin}`);
