import { ErrInvalidTimeout, ErrPromptRequired, ErrPromptTooLong } from "./errors.js";

/** Provider ids. Open to more: a provider is any string registered in the registry. */
export type AgentProvider = string;
export const ClaudeCodeProvider = "claude-code" satisfies AgentProvider;
export const OpenCodeProvider = "opencode" satisfies AgentProvider;

/** Where the agent runs and on which files. */
export type Workspace =
  | { kind: "local"; directory: string }
  | {
      kind: "pod";
      namespace: string;
      pod: string;
      container?: string;
      /** Working directory inside the container. */
      directory: string;
      /** kubectl context; default: the current context. */
      context?: string;
    };

export type WorkspaceKind = Workspace["kind"];

/** What the agent may do without asking. */
export type PermissionPolicy =
  /** Only these tools are allowed; everything else is denied. */
  | { mode: "allow-tools"; tools: readonly string[] }
  /** Ask a person (permission_request events); unanswered requests are denied after `timeoutMs`. */
  | { mode: "ask"; timeoutMs?: number; allowTools?: readonly string[] }
  /** Everything is allowed. Only for workspaces the operator declared a sandbox. */
  | { mode: "bypass" }
  /** The agent's own defaults. */
  | { mode: "default" };

export interface AgentRequest {
  /** Unique id of this run; the key for `cancel()` and permission answers. */
  runId: string;
  prompt: string;
  /** Absent: the registry's default provider. */
  provider?: AgentProvider;
  /** Session to resume. Absent: a new session. */
  sessionId?: string;
  workspace: Workspace;
  /** Wall-clock limit for the run; the outcome is `timed_out` past it. */
  timeoutMs: number;
  /** Model for this run, in a form the provider accepts (its descriptor's `models`); absent: its default. */
  model?: string;
  /** Stop the run once its cost reaches this many USD (outcome `budget_exceeded`). Absent: no limit. */
  maxCostUsd?: number;
  permissions?: PermissionPolicy;
  maxTurns?: number;
}

/** Default wall-clock limit of a run. */
export const DefaultRunTimeoutMs = 30 * 60_000;
/** Largest accepted run timeout. */
export const MaxRunTimeoutMs = 4 * 60 * 60_000;
/**
 * Largest accepted prompt, in UTF-8 bytes. Larger than one argv string may be on Linux
 * (128 KiB), so providers must not rely on argv for long prompts.
 */
export const MaxPromptBytes = 256 * 1024;

/** Companion of the AgentRequest type: validation that raises named errors. */
export const AgentRequest = {
  /** The prompt alone (Slack handlers check it before queueing, with the same errors). */
  validatePrompt(prompt: string): void {
    if (prompt.trim() === "") throw new ErrPromptRequired();
    const bytes = Buffer.byteLength(prompt, "utf8");
    if (bytes > MaxPromptBytes) throw new ErrPromptTooLong(bytes, MaxPromptBytes);
  },

  validate(request: Pick<AgentRequest, "prompt" | "timeoutMs">): void {
    AgentRequest.validatePrompt(request.prompt);
    const t = request.timeoutMs;
    if (!Number.isFinite(t) || t <= 0 || t > MaxRunTimeoutMs) throw new ErrInvalidTimeout(t, MaxRunTimeoutMs);
  },
};
