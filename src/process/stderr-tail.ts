/** Default number of stderr characters kept for error messages. */
export const DefaultMaxStderrChars = 64 * 1024;

/** Keeps only the last `max` characters written to it: stderr can be endless, memory cannot. */
export class StderrTail {
  #text = "";
  #dropped = 0;
  constructor(private readonly max = DefaultMaxStderrChars) {}

  push(chunk: Buffer | string): void {
    this.#text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    if (this.#text.length > this.max * 2) {
      this.#dropped += this.#text.length - this.max;
      this.#text = this.#text.slice(-this.max);
    }
  }

  /** The kept text (at most `max` characters, the newest). */
  text(): string {
    return this.#text.length > this.max ? this.#text.slice(-this.max) : this.#text;
  }

  get truncated(): boolean {
    return this.#dropped > 0 || this.#text.length > this.max;
  }
}
