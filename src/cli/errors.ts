import { CodethreadError } from "../errors.js";

/** A mistake on the command line (unknown command, option or missing argument); exits 2 with the help. */
export class ErrUsage extends CodethreadError {
  constructor(
    message: string,
    readonly help: string,
  ) {
    super("usage", message);
  }
}

/** Run a `node:util` parseArgs call; its errors become `ErrUsage` carrying the command's help. */
export function parseOrUsage<T>(help: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) throw new ErrUsage((err as Error).message, help);
    throw err;
  }
}
