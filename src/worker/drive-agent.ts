import type { AgentEvent, AgentResult } from "../agents/events.js";
import type { CodeAgent } from "../agents/port.js";
import type { AgentRequest } from "../agents/request.js";
import { CodethreadError, messageOf } from "../errors.js";
import { ErrRunWithoutResult } from "./errors.js";

/**
 * Run one agent turn to its result. `onEvent` sees every event but the final `result`, in
 * order, and is awaited (the session id is persisted there as soon as it arrives). An
 * `execute` that throws, or a stream that ends without a result, becomes a failed result.
 */
export async function driveAgent(
  agent: CodeAgent,
  request: AgentRequest,
  signal: AbortSignal,
  onEvent: (event: AgentEvent) => Promise<void>,
): Promise<AgentResult> {
  const started = Date.now();
  let result: AgentResult | undefined;
  let sessionId: string | undefined;
  const failed = (error: string, errorCode: string): AgentResult => ({
    outcome: signal.aborted ? "cancelled" : "failed",
    sessionId,
    text: "",
    durationMs: Date.now() - started,
    error,
    errorCode,
  });
  try {
    for await (const event of agent.execute(request, { signal })) {
      if (event.type === "result") {
        result = event.result;
        continue;
      }
      if (event.type === "session_started") sessionId = event.sessionId;
      await onEvent(event);
    }
  } catch (err) {
    return failed(messageOf(err), err instanceof CodethreadError ? err.code : "agent_error");
  }
  if (!result) {
    const err = new ErrRunWithoutResult(agent.id, request.runId);
    return failed(err.message, err.code);
  }
  return { ...result, sessionId: result.sessionId ?? sessionId };
}
