import type { AgentEvent } from "./events.js";
import type { AgentProvider, AgentRequest, Workspace } from "./request.js";

/**
 * How long an availability check may take before the provider is reported unavailable.
 * `codethread doctor` and `/agent status` wait at most this long per provider, so a
 * hung binary or an unreachable server never hangs them.
 */
export const DefaultAvailabilityTimeoutMs = 5_000;

/**
 * How long an unanswered permission request waits before it is denied.
 */
export const DefaultPermissionTimeoutMs = 10 * 60_000;

export interface Capabilities {
  /** Later turns can continue the same session. */
  resume: boolean;
  /** A running turn can be stopped. */
  cancel: boolean;
  /** The agent can ask a person before using a tool. */
  permissionPrompts: boolean;
  /** Text arrives while it is written, not only at the end. */
  streamingText: boolean;
  /** The result carries a cost in USD. */
  costReporting: boolean;
}

export type Availability = { available: true; version: string; detail?: string } | { available: false; reason: string };

export interface PermissionDecision {
  allow: boolean;
  /** Shown to the agent (a deny reason, or guidance with an allow). */
  message?: string;
}

export interface ExecuteOptions {
  /** Aborting the signal cancels the run (same as `cancel(runId)`). */
  signal?: AbortSignal;
}

/** One file of an agent session; `path` is relative to the provider's session root on this machine. */
export interface SessionFile {
  path: string;
  content: Uint8Array;
}

/**
 * The files a session lives in on the machine that ran it (Claude Code's transcript), for providers
 * that keep sessions locally. The worker saves them in the database after each turn and restores
 * them before a resume, so a thread can continue on any replica.
 */
export interface SessionFiles {
  /** The session's files here (empty when this machine has none, or the workspace keeps them elsewhere). */
  collect(sessionId: string, workspace: Workspace): Promise<SessionFile[]>;
  /** Write them back here before resuming, replacing local copies. Rejects paths outside the session root. */
  restore(sessionId: string, workspace: Workspace, files: readonly SessionFile[]): Promise<void>;
}

/**
 * The port every coding agent implements.
 *
 * `execute` throws only for an invalid request (see `AgentRequest.validate`); every other
 * failure (binary missing, API error, unknown session) ends the stream with a `result`
 * event whose outcome is `failed` and whose `errorCode` says why.
 */
export interface CodeAgent {
  readonly id: AgentProvider;
  execute(request: AgentRequest, options?: ExecuteOptions): AsyncIterable<AgentEvent>;
  /** Stop a run. Unknown or finished runs: a no-op. Resolves once the stop was requested. */
  cancel(runId: string): Promise<void>;
  /** Answer a `permission_request` event of a running run. Returns false if nothing was waiting. */
  respondToPermission(runId: string, requestId: string, decision: PermissionDecision): Promise<boolean>;
  capabilities(): Capabilities;
  checkAvailability(options?: { timeoutMs?: number }): Promise<Availability>;
  /** Release processes and connections (embedded servers). */
  close?(): Promise<void>;
  /** Present when sessions are files on this machine (absent: they live in a server every replica reaches). */
  readonly sessionFiles?: SessionFiles;
}

/** Run `check` bounded by `timeoutMs`; a slow or throwing check reports unavailable. */
export async function boundedAvailability(
  check: (signal: AbortSignal) => Promise<Availability>,
  timeoutMs = DefaultAvailabilityTimeoutMs,
): Promise<Availability> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Availability>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ available: false, reason: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      check(controller.signal).catch(
        (err: unknown): Availability => ({
          available: false,
          reason: err instanceof Error ? err.message : String(err),
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
