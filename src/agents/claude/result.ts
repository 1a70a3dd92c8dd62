import { excerpt } from "../../errors.js";
import { budgetExceeded } from "../budget.js";
import { ErrAgentUnavailable, ErrSessionNotFound } from "../errors.js";
import type { AgentResult, TokenUsage } from "../events.js";
import { ClaudeCodeProvider } from "../request.js";
import type { ResultLine } from "./schemas.js";
import type { StreamSummary } from "./stream-mapper.js";

/** How the CLI process ended (absent for replays of a recorded transcript). */
export interface ProcessEnd {
  durationMs: number;
  /** Set when we stopped the run. */
  stopped?: "cancelled" | "timed_out";
  timeoutMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  stderr?: string;
  /** The process could not be started at all. */
  spawnError?: { code?: string; message: string };
  /** False when the agent process itself never started (e.g. `kubectl exec` could not reach the pod). */
  agentStarted?: boolean;
  /** The session the request asked to resume. */
  requestedSessionId?: string;
  /** The run's cost budget (`--max-budget-usd`), for the words of a budget stop. */
  maxCostUsd?: number;
}

const SessionGone = /No conversation found|requires a valid session ID/i;

function usageOf(r: ResultLine | undefined): TokenUsage | undefined {
  const u = r?.usage;
  if (!u || (u.input_tokens === undefined && u.output_tokens === undefined)) return undefined;
  return {
    inputTokens: u.input_tokens ?? 0,
    outputTokens: u.output_tokens ?? 0,
    cacheReadTokens: u.cache_read_input_tokens,
    cacheWriteTokens: u.cache_creation_input_tokens,
  };
}

function failure(code: string, error: string): Pick<AgentResult, "outcome" | "error" | "errorCode"> {
  return { outcome: "failed", errorCode: code, error };
}

/** Why the latest result line is not a success, in words and as a stable code. */
function classify(
  r: ResultLine,
  s: StreamSummary,
  end: ProcessEnd,
): Pick<AgentResult, "outcome" | "error" | "errorCode"> {
  const errors = (r.errors ?? []).join("; ");
  if (SessionGone.test(errors)) {
    const id = end.requestedSessionId ?? r.session_id ?? "(unknown)";
    return failure("session_not_found", new ErrSessionNotFound(ClaudeCodeProvider, id).message);
  }
  if (r.terminal_reason === "aborted_streaming" || r.terminal_reason === "aborted_tools") {
    return { outcome: "cancelled", errorCode: "cancelled", error: "The run was interrupted." };
  }
  if (r.subtype === "error_max_turns") return failure("max_turns", errors || "Reached the maximum number of turns.");
  // `Reached maximum budget ($0.5)`: stopped, not failed; the session is kept and a reply continues it.
  if (r.subtype === "error_max_budget_usd" || r.terminal_reason === "budget_exhausted") {
    return budgetExceeded(end.maxCostUsd);
  }
  if (r.terminal_reason === "api_error" || r.api_error_status || s.apiError) {
    return failure("api_error", r.result || s.apiError || errors || "The model API returned an error.");
  }
  return failure("agent_failed", r.result || errors || "Claude Code reported an error.");
}

function noResult(s: StreamSummary, end: ProcessEnd): Pick<AgentResult, "outcome" | "error" | "errorCode"> {
  const stderr = excerpt(end.stderr ?? "", 400);
  if (end.exitCode === 127 && /not found|No such file/i.test(stderr)) {
    return failure("agent_unavailable", new ErrAgentUnavailable(ClaudeCodeProvider, stderr).message);
  }
  if (/Session ID .* is already in use/i.test(stderr)) return failure("session_in_use", stderr);
  if (end.agentStarted === false) {
    return failure(
      "agent_unavailable",
      new ErrAgentUnavailable(ClaudeCodeProvider, stderr || "it did not start").message,
    );
  }
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.exitCode ?? "?"}`;
  const detail = stderr || (s.garbage.length ? `it printed: ${s.garbage.join(" | ")}` : "it printed nothing");
  return failure("agent_protocol", `The Claude Code CLI ${how} without a result; ${detail}`);
}

/** The one `result` of a run: what the stream said, corrected by how the process ended. */
export function buildResult(s: StreamSummary, end: ProcessEnd): AgentResult {
  const r = s.lastResult;
  const said = s.texts.join("\n\n");
  const base = {
    durationMs: end.durationMs,
    costUsd: s.costUsd,
    turns: r?.num_turns,
    usage: usageOf(r),
  };
  if (end.spawnError) {
    const reason = end.spawnError.code === "ENOENT" ? "the claude binary was not found" : end.spawnError.message;
    return {
      ...base,
      text: "",
      ...failure("agent_unavailable", new ErrAgentUnavailable(ClaudeCodeProvider, reason).message),
    };
  }
  if (end.stopped) {
    const t = end.timeoutMs;
    const minutes = t ? (t < 60_000 ? ` of ${Math.round(t / 1000)} s` : ` of ${Math.round(t / 60_000)} min`) : "";
    return {
      ...base,
      outcome: end.stopped,
      sessionId: s.sessionId,
      text: said,
      errorCode: end.stopped,
      error: end.stopped === "cancelled" ? "The run was cancelled." : `The run exceeded its time limit${minutes}.`,
    };
  }
  if (!r) return { ...base, text: said, ...noResult(s, end) };
  if (r.subtype === "success" && r.is_error !== true) {
    return { ...base, outcome: "succeeded", sessionId: s.sessionId, text: r.result ?? said };
  }
  const verdict = classify(r, s, end);
  const sessionId = verdict.errorCode === "session_not_found" ? undefined : s.sessionId;
  return { ...base, ...verdict, sessionId, text: said };
}
