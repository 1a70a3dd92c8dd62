/**
 * Woodpecker's version string → whether this adapter can drive it. Releases are `3.17.0`
 * (sometimes `v3.17.0`); development builds are `next-<sha>` (newer than any release: accepted).
 */
export function supportsVersion(version: string): boolean {
  const v = version.trim();
  if (/^next\b/i.test(v)) return true;
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m ? Number(m[1]) >= 2 : false;
}
