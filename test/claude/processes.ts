import { readdirSync, readFileSync } from "node:fs";

/** Command lines of every running process that mention `needle` (from /proc, the process table). */
export function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const state = readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]?.[0];
      if (state !== "Z" && cmdline.includes(needle)) out.push(`${name}: ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Poll until `check` is true or give up after `ms` (returns the last value). */
export async function eventually(check: () => boolean, ms = 20_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
