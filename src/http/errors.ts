import { CodethreadError } from "../errors.js";

/** Which call failed: enough for a person to find it in the server's logs, never a credential. */
export interface HttpCall {
  /** The service spoken to (`opencode`, `gitea`, `woodpecker`, …). */
  service: string;
  method: string;
  /** Path without the query string (queries may carry tokens). */
  path: string;
}

/** The server answered with a status the caller did not accept. */
export class ErrHttpStatus extends CodethreadError {
  readonly status: number;
  readonly call: HttpCall;
  constructor(call: HttpCall, status: number, bodyExcerpt: string, code = `${call.service}_http`) {
    super(code, `${call.service} ${call.method} ${call.path} failed with ${status}: ${bodyExcerpt || "(empty body)"}`, {
      ...call,
      status,
      body: bodyExcerpt,
    });
    this.status = status;
    this.call = call;
  }
}

/** The server could not be reached (refused, reset, DNS) or did not answer in time. */
export class ErrHttpUnreachable extends CodethreadError {
  readonly call: HttpCall;
  constructor(call: HttpCall, reason: string, cause?: unknown, code = `${call.service}_unreachable`) {
    super(
      code,
      `${call.service} did not answer ${call.method} ${call.path}: ${reason}`,
      { ...call, reason },
      { cause },
    );
    this.call = call;
  }
}

/** The server answered 2xx with a body that is not JSON or not the expected shape. */
export class ErrHttpBody extends CodethreadError {
  readonly call: HttpCall;
  constructor(
    call: HttpCall,
    detail: string,
    context: Record<string, unknown> = {},
    code = `${call.service}_protocol`,
  ) {
    super(code, `${call.service} ${call.method} ${call.path} returned ${detail}`, { ...call, ...context });
    this.call = call;
  }
}

/**
 * How a service names its failures. Each client may map a status to its own error class and
 * wording (OpenCode's 401 hint, Gitea's missing scope); anything not given uses the classes above.
 */
export interface HttpErrorFactory {
  status(call: HttpCall, status: number, bodyExcerpt: string): Error;
  unreachable(call: HttpCall, reason: string, cause: unknown): Error;
  body(call: HttpCall, detail: string, context: Record<string, unknown>): Error;
}

export const DefaultHttpErrors: HttpErrorFactory = {
  status: (call, status, body) => new ErrHttpStatus(call, status, body),
  unreachable: (call, reason, cause) => new ErrHttpUnreachable(call, reason, cause),
  body: (call, detail, context) => new ErrHttpBody(call, detail, context),
};
