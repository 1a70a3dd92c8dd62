import { CodethreadError } from "../errors.js";

/** A readiness check found its part not (yet) up: the Slack app, or every agent unavailable. */
export class ErrNotStarted extends CodethreadError {
  constructor(part: string) {
    super("not_ready", `${part} is not ready`, { part });
  }
}
