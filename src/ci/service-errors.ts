import { CodethreadError } from "../errors.js";
import type { HttpCall, HttpErrorFactory } from "../http/errors.js";

/** Which server a client speaks to, for error sentences: never the token itself. */
export interface ServiceDescriptor {
  /** Stable id used in error codes: `gitea`, `woodpecker`. */
  id: "gitea" | "woodpecker";
  /** Shown to people: "Gitea", "Forgejo", "Woodpecker". */
  label: string;
  baseUrl: string;
  /** Variable (and credential-store name) the token comes from. */
  tokenName: string;
  /** Where the token in use came from, so the sentence says what to change. */
  tokenSource?: "store" | "env";
  /** The server's own text of an error body (Gitea: JSON `message`; Woodpecker: plain text). */
  messageOf(body: string): string;
}

function whereToken(s: ServiceDescriptor): string {
  return s.tokenSource === "store"
    ? `the ${s.tokenName} stored in the credential store (replace it: printf %s "$TOKEN" | codethread secrets set ${s.tokenName})`
    : `${s.tokenName} (or store it: printf %s "$TOKEN" | codethread secrets set ${s.tokenName})`;
}

/** A status the caller did not accept; subclasses say what it means. The body text stays in `context`. */
export class ErrServiceStatus extends CodethreadError {
  readonly status: number;
  readonly call: HttpCall;
  /** The server's message (JSON `message`, or the plain-text body). */
  readonly serverMessage: string;
  constructor(code: string, message: string, call: HttpCall, status: number, serverMessage: string) {
    super(code, message, { ...call, status, body: serverMessage });
    this.status = status;
    this.call = call;
    this.serverMessage = serverMessage;
  }
}

/** 401: the token is missing, wrong or revoked. */
export class ErrTokenRefused extends ErrServiceStatus {
  constructor(s: ServiceDescriptor, call: HttpCall, status: number, text: string) {
    super(
      `${s.id}_token_refused`,
      `${s.label} at ${s.baseUrl} refused the token (${status}${text ? `: ${text}` : ""}): set ${whereToken(s)} to a valid personal access token of the bot user.`,
      call,
      status,
      text,
    );
  }
}

/** 403 naming a scope: the token works but lacks a scope this call needs. */
export class ErrTokenScope extends ErrServiceStatus {
  readonly scopes: string[];
  constructor(s: ServiceDescriptor, call: HttpCall, status: number, text: string, scopes: string[]) {
    super(
      `${s.id}_token_scope`,
      `The ${s.label} token lacks the ${scopes.join(" or ")} scope (${call.method} ${call.path}): create a token for the bot user with write:repository, write:user and write:organization, and set ${whereToken(s)}.`,
      call,
      status,
      text,
    );
    this.scopes = scopes;
  }
}

/** 403 for another reason (not an admin, not allowed in the organization). */
export class ErrForbidden extends ErrServiceStatus {
  constructor(s: ServiceDescriptor, call: HttpCall, status: number, text: string) {
    super(
      `${s.id}_forbidden`,
      `${s.label} refused ${call.method} ${call.path} (${status}): ${text || "forbidden"}. Give the bot user the rights this needs (or use another owner).`,
      call,
      status,
      text,
    );
  }
}

export class ErrNotFound extends ErrServiceStatus {
  constructor(s: ServiceDescriptor, call: HttpCall, status: number, text: string) {
    super(
      `${s.id}_not_found`,
      `${s.label} has no ${call.path} (${status}${text ? `: ${text}` : ""}), or the bot user cannot see it: check the name and the bot user's access.`,
      call,
      status,
      text,
    );
  }
}

/** 409 (and Gitea's 422 "already exists"): the name is taken, or the thing is already done. */
export class ErrConflict extends ErrServiceStatus {
  constructor(s: ServiceDescriptor, call: HttpCall, status: number, text: string) {
    super(
      `${s.id}_conflict`,
      `${s.label} ${call.method} ${call.path} conflicts with what exists (${status}): ${text || "(empty body)"}`,
      call,
      status,
      text,
    );
  }
}

/** 400/422: the server rejected the request's content. */
export class ErrInvalidRequest extends ErrServiceStatus {
  constructor(s: ServiceDescriptor, call: HttpCall, status: number, text: string) {
    super(
      `${s.id}_invalid`,
      `${s.label} rejected ${call.method} ${call.path} (${status}): ${text || "(empty body)"}`,
      call,
      status,
      text,
    );
  }
}

/** Any other status (5xx, …): the server's text is kept. */
export class ErrServerFailed extends ErrServiceStatus {
  constructor(s: ServiceDescriptor, call: HttpCall, status: number, text: string) {
    super(
      `${s.id}_http`,
      `${s.label} ${call.method} ${call.path} failed with ${status}: ${text || "(empty body)"}. Check ${s.label}'s logs at ${s.baseUrl}.`,
      call,
      status,
      text,
    );
  }
}

export class ErrServiceUnreachable extends CodethreadError {
  constructor(s: ServiceDescriptor, call: HttpCall, reason: string, cause?: unknown) {
    super(
      `${s.id}_unreachable`,
      `${s.label} at ${s.baseUrl} did not answer ${call.method} ${call.path} (${reason}): check the URL and that the server is up.`,
      { ...call, reason },
      { cause },
    );
  }
}

export class ErrServiceProtocol extends CodethreadError {
  constructor(s: ServiceDescriptor, call: HttpCall, detail: string, context: Record<string, unknown>) {
    super(
      `${s.id}_protocol`,
      `${s.label} ${call.method} ${call.path} returned ${detail}: is ${s.baseUrl} really ${s.label}?`,
      { ...call, ...context },
    );
  }
}

const ScopeList = /required scope\(s\): \[([^\]]*)\]/;

/** Status → named error, for the shared HttpJsonClient's `errors` option. */
export function serviceErrors(s: ServiceDescriptor): HttpErrorFactory {
  return {
    status(call, status, body) {
      const text = s.messageOf(body);
      if (status === 401) return new ErrTokenRefused(s, call, status, text);
      if (status === 403) {
        const scopes = ScopeList.exec(text)?.[1];
        return scopes !== undefined
          ? new ErrTokenScope(s, call, status, text, scopes.split(/[\s,]+/).filter(Boolean))
          : new ErrForbidden(s, call, status, text);
      }
      if (status === 404) return new ErrNotFound(s, call, status, text);
      if (status === 409 || (status === 422 && /already exists/i.test(text))) {
        return new ErrConflict(s, call, status, text);
      }
      if (status === 400 || status === 422) return new ErrInvalidRequest(s, call, status, text);
      return new ErrServerFailed(s, call, status, text);
    },
    unreachable: (call, reason, cause) => new ErrServiceUnreachable(s, call, reason, cause),
    body: (call, detail, context) => new ErrServiceProtocol(s, call, detail, context),
  };
}
