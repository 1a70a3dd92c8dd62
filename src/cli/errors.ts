import { CodethreadError } from "../errors.js";

/** A mistake on the command line (unknown command, missing argument). */
export class ErrUsage extends CodethreadError {
  constructor(
    message: string,
    readonly help: string,
  ) {
    super("usage", message);
  }
}
