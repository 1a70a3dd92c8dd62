import { CodethreadError } from "../../errors.js";

/** The OpenCode server answered an HTTP call with a non-2xx status. */
export class ErrOpenCodeHttp extends CodethreadError {
  readonly status: number;
  constructor(method: string, path: string, status: number, bodyExcerpt: string) {
    super(
      status === 401 ? "opencode_unauthorized" : status === 404 ? "opencode_not_found" : "opencode_http",
      status === 401
        ? `OpenCode refused ${method} ${path} (401): check OPENCODE_SERVER_PASSWORD and OPENCODE_SERVER_USERNAME.`
        : `OpenCode ${method} ${path} failed with ${status}: ${bodyExcerpt || "(empty body)"}`,
      { method, path, status, body: bodyExcerpt },
    );
    this.status = status;
  }
}

/** The OpenCode server could not be reached (refused, reset, DNS) or did not answer in time. */
export class ErrOpenCodeUnreachable extends CodethreadError {
  constructor(method: string, path: string, reason: string, cause?: unknown) {
    super(
      "opencode_unreachable",
      `OpenCode did not answer ${method} ${path}: ${reason}`,
      { method, path, reason },
      { cause },
    );
  }
}

/** The embedded `opencode serve` could not be started. */
export class ErrOpenCodeServerStart extends CodethreadError {
  constructor(reason: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super("opencode_server_start", `Could not start opencode serve: ${reason}`, context, { cause });
  }
}

/** This provider drives a local OpenCode server only; pod workspaces go through another provider. */
export class ErrWorkspaceUnsupported extends CodethreadError {
  constructor(kind: string) {
    super(
      "workspace_unsupported",
      `The opencode agent runs on local workspaces only (this run asked for a ${kind} workspace).`,
      { kind },
    );
  }
}

/** The event stream ended and could not be re-established. */
export class ErrEventStreamLost extends CodethreadError {
  constructor(reason: string, attempts: number) {
    super("agent_unavailable", `Lost the OpenCode event stream: ${reason}`, { reason, attempts });
  }
}

/** The embedded server process exited while a run was using it. */
export class ErrServerStopped extends CodethreadError {
  constructor(reason: string) {
    super("agent_unavailable", `The OpenCode server stopped during the run (${reason}).`, { reason });
  }
}
