import { z } from "zod";

/** Binary multiples: `10G` is 10 GiB, as `du -h` and Kubernetes' `Gi` count. */
const units: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Parse `500M`, `10G`, `1.5GiB`, `2048` (bytes). Undefined when it is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = units[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** zod schema for a size environment variable, giving bytes. */
export const bytesSize = z.string().transform((text, ctx) => {
  const n = parseBytes(text);
  if (n === undefined || n <= 0) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a size (examples: 500M, 10G, 1T)` });
    return z.NEVER;
  }
  return n;
});

/** `1.5 GiB`, `320 MiB`, `12 KiB`, `900 B`: for reports. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ["TiB", 1024 ** 4],
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} B`;
}
