/**
 * Faults the Web API stand-in can be told to give (tests and benchmarks; the console never arms
 * any): per method (or `response_url`), per call count, optionally only for calls whose
 * parameters match.
 */
export type Params = Record<string, unknown>;

/**
 * What a faulty call gets: `error` answered as `{ok: false, error}` (HTTP `status`, default 200,
 * with `Retry-After` when `retryAfterSec` is set); `status` alone answered as that HTTP status;
 * `hangMs`: the answer is held that long, then the call is served normally — or, with `answer`, given that
 * fault (a slow failure).
 */
export type Fault = AnswerFault | { hangMs: number; answer?: AnswerFault };

/** A fault answered at once. */
export type AnswerFault = { error: string; status?: number; retryAfterSec?: number } | { status: number };

export interface FaultOptions {
  /** How many matching calls get the fault (default 1). */
  count?: number;
  /** Let this many matching calls through first (default 0): "fail the 3rd call" is `{ skip: 2 }`. */
  skip?: number;
  /** Only calls whose parameters match. */
  when?: (p: Params) => boolean;
}

interface Armed {
  method: string;
  fault: Fault;
  skip: number;
  remaining: number;
  when?: (p: Params) => boolean;
}

/** An HTTP answer of the stand-in, and what the call's record says it got. */
export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** "ok", a Slack error code, "ratelimited" (HTTP 429), "http_500". */
  outcome: string;
}

export function jsonReply(result: Params): Reply {
  return { status: 200, body: JSON.stringify(result), outcome: result.ok ? "ok" : String(result.error) };
}

export function rateLimitedReply(retryAfterSec: number): Reply {
  return {
    status: 429,
    body: JSON.stringify({ ok: false, error: "ratelimited" }),
    headers: { "retry-after": String(retryAfterSec) },
    outcome: "ratelimited",
  };
}

/** The answer a fault (other than a hang) gives. */
export function faultReply(fault: Exclude<Fault, { hangMs: number }>): Reply {
  if ("error" in fault) {
    if (fault.status === 429) return rateLimitedReply(fault.retryAfterSec ?? 1);
    const headers: Record<string, string> = {};
    if (fault.retryAfterSec !== undefined) headers["retry-after"] = String(fault.retryAfterSec);
    return { ...jsonReply({ ok: false, error: fault.error }), status: fault.status ?? 200, headers };
  }
  return {
    status: fault.status,
    body: fault.status >= 500 ? "upstream connect error" : "error",
    headers: { "content-type": "text/plain" },
    outcome: `http_${fault.status}`,
  };
}

/** Armed faults, in the order they were armed; each counts down as calls take it. */
export class FaultBook {
  #armed: Armed[] = [];

  arm(method: string, fault: Fault, opts: FaultOptions = {}): void {
    this.#armed.push({ method, fault, skip: opts.skip ?? 0, remaining: opts.count ?? 1, when: opts.when });
  }

  clear(): void {
    this.#armed = [];
  }

  /** The first fault armed for this call, counting it down (after its `skip`). */
  take(method: string, params: Params): Fault | undefined {
    for (const f of this.#armed) {
      if (f.method !== method || f.remaining <= 0 || (f.when && !f.when(params))) continue;
      if (f.skip > 0) {
        f.skip -= 1;
        continue;
      }
      f.remaining -= 1;
      return f.fault;
    }
    return undefined;
  }
}
