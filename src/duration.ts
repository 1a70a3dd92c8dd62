import { z } from "zod";

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parse `90s`, `30m`, `2h`, `7d`, `1500ms` or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * units[m[2] ?? "ms"]!);
}

/** zod schema for a duration environment variable, giving milliseconds. */
export const durationMs = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a duration (examples: 90s, 30m, 2h, 7d)` });
    return z.NEVER;
  }
  return ms;
});

/** Like `durationMs`, but `0` (or `0s`) is allowed: "no wait". */
export const durationOrZeroMs = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a duration (examples: 0, 5s, 30s, 2m)` });
    return z.NEVER;
  }
  return ms;
});

/** A limit for messages: `7d`, `4h`, `90m`, `45s`, `1500ms` (the largest whole unit). */
export function formatLimit(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
