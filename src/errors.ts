import { truncate } from "./text.js";

/**
 * Base class for every error codethread raises on purpose.
 *
 * Each error carries a stable `code` (for logs, tests and Slack copy) and a `context`
 * object with what a person needs to understand it (which call, which status, a body
 * excerpt). Context must never contain secrets: callers pass excerpts through `excerpt()`.
 */
export class CodethreadError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  /** A short, user-facing sentence (defaults to the message). Subclasses may override. */
  get userMessage(): string {
    return this.message;
  }
}

/** True when `err` is a CodethreadError with the given code. */
export function hasCode(err: unknown, code: string): err is CodethreadError {
  return err instanceof CodethreadError && err.code === code;
}

/** Bounded excerpt of a body or output, safe to put in an error message or log line. */
export function excerpt(text: string, max = 300): string {
  return truncate(text.replace(/\s+/g, " ").trim(), max);
}

/** Message of any thrown value, without assuming it is an Error. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err);
}
