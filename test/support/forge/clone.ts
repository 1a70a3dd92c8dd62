import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { git } from "./git.js";

/** `git clone` over HTTP (real git, the token in a header, never in the URL); returns the work tree. */
export async function cloneRepo(cloneUrl: string, token: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "clone-"));
  await git(["-c", `http.extraHeader=Authorization: token ${token}`, "clone", "--quiet", cloneUrl, dir]);
  return dir;
}

/** Every file of a work tree (without .git), path → content. */
export function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      if (entry === ".git") continue;
      const full = path.join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out[path.relative(dir, full)] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}
