import { lstat, opendir } from "node:fs/promises";
import path from "node:path";

/**
 * Bytes a directory tree occupies on disk (allocated blocks, as `du` counts them; symlinks are
 * not followed). Entries that vanish while it walks (an agent deleting files) are skipped.
 * Iterative, so deep trees (node_modules) do not grow the stack.
 */
export async function directoryBytes(root: string): Promise<number> {
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      total += await sizeOf(dir);
      handle = await opendir(dir);
    } catch {
      continue;
    }
    for await (const entry of handle) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else total += await sizeOf(full).catch(() => 0);
    }
  }
  return total;
}

async function sizeOf(file: string): Promise<number> {
  const st = await lstat(file);
  return st.blocks !== undefined ? st.blocks * 512 : st.size;
}
