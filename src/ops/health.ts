import { messageOf } from "../errors.js";

/** One readiness check: a name and a probe that resolves (ready) or throws (not ready). */
export interface ReadinessCheck {
  name: string;
  check(signal: AbortSignal): Promise<void>;
}

export type ReadinessReport =
  | { ready: true; checks: { name: string; ok: true }[] }
  | { ready: false; checks: ({ name: string; ok: true } | { name: string; ok: false; reason: string })[] };

/**
 * Readiness for `/readyz`: every check must pass within `timeoutMs` (a hung database must make the
 * pod unready, not hang the probe). Liveness (`/healthz`) is only "the event loop answers".
 */
export async function readiness(checks: ReadinessCheck[], timeoutMs = 2_000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          check(signal),
          new Promise<never>((_, reject) =>
            signal.addEventListener("abort", () => reject(new Error(`no answer within ${timeoutMs} ms`)), {
              once: true,
            }),
          ),
        ]);
        return { name, ok: true as const };
      } catch (err) {
        return { name, ok: false as const, reason: messageOf(err) };
      }
    }),
  );
  return results.every((r) => r.ok)
    ? { ready: true, checks: results as { name: string; ok: true }[] }
    : { ready: false, checks: results };
}
