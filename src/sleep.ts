/**
 * Resolve after `ms` (never rejects); an aborted `signal` resolves it early. By default the
 * timer does not keep the process alive (a grace period raced against work must not hold a
 * stopping process); `keepAlive` for a wait that is itself the work (a reconnect back-off).
 */
export function sleep(ms: number, signal?: AbortSignal, options: { keepAlive?: boolean } = {}): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", done);
      resolve();
    }, ms);
    if (!options.keepAlive) timer.unref();
    signal?.addEventListener("abort", done, { once: true });
  });
}
