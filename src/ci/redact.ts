import type { Secret } from "../secret.js";

const Censor = "[REDACTED]";

/** Credentials that look like credentials wherever they come from (CI logs echo commands). */
const Patterns: [RegExp, string][] = [
  [/\b(Bearer|token|Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${Censor}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, `$1${Censor}@`],
  [/\b([A-Za-z_]*(?:password|passwd|secret|token|api[_-]?key))(\s*[=:]\s*)(["']?)[^\s"']+\3/gi, `$1$2$3${Censor}$3`],
];

/**
 * Removes secrets from text codethread did not write (CI step logs): every known secret value,
 * then anything shaped like a credential (`Bearer …`, `user:pass@` in URLs, `token=…`).
 */
export class Redactor {
  readonly #values: string[];

  constructor(secrets: Secret[] = []) {
    // Longest first, so a secret containing another is removed whole. Very short values would
    // blank ordinary words: they are left to the patterns.
    this.#values = [...new Set(secrets.map((s) => s.reveal()).filter((v) => v.length >= 6))].sort(
      (a, b) => b.length - a.length,
    );
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.#values) out = out.split(v).join(Censor);
    for (const [re, to] of Patterns) out = out.replace(re, to);
    return out;
  }
}
