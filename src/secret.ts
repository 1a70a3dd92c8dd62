import { inspect } from "node:util";

/**
 * A secret value that never prints itself: `String()`, JSON, `util.inspect` and template
 * literals all give `[REDACTED]`. Call `reveal()` exactly where the value is used.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[REDACTED]";
  }
  toJSON(): string {
    return "[REDACTED]";
  }
  [inspect.custom](): string {
    return "[REDACTED]";
  }
}

/**
 * `text` with every occurrence of the secrets' values replaced by `[REDACTED]`: for output of a
 * child that was handed a secret (git's stderr after a push), before it reaches an error or a log.
 * Values shorter than 4 characters are left alone (they would blank ordinary words).
 */
export function redactValues(text: string, secrets: readonly (Secret | string)[]): string {
  let out = text;
  for (const s of secrets) {
    const value = typeof s === "string" ? s : s.reveal();
    if (value.length >= 4) out = out.split(value).join("[REDACTED]");
  }
  return out;
}
