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
