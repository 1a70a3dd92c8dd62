import { budgetExceeded } from "../../src/agents/budget.js";
import { ClaudeTools } from "../../src/agents/claude/tools.js";
import type { AgentEvent, AgentResult } from "../../src/agents/events.js";
import type {
  Availability,
  Capabilities,
  CodeAgent,
  ExecuteOptions,
  PermissionDecision,
} from "../../src/agents/port.js";
import type { AgentRequest } from "../../src/agents/request.js";
import { kindOf, type ToolKind } from "../../src/agents/tool-kind.js";

/** One step of a scripted run. Tools are named as Claude Code names them; `kind` defaults to that tool's kind. */
export type Step =
  | { tool: string; kind?: ToolKind; input?: Record<string, unknown>; summary?: string; ok?: boolean }
  | { text: string }
  | { ask: string; summary: string }
  | { wait: Promise<unknown> }
  | { sleepMs: number }
  /** The run's cost so far (a `cost` event, as OpenCode reports after each step). */
  | { cost: number };

export interface Script {
  steps: Step[];
  answer?: string;
  costUsd?: number;
  /** Fail instead of succeeding. */
  error?: { message: string; code: string };
  /** End as stopped by a cost budget of this many USD (after the steps), like a provider does. */
  budgetUsd?: number;
}

/**
 * A deterministic CodeAgent for Slack flow tests: plays a script per request (chosen by the test),
 * reports a session id (the one resumed, or a new one), stops on cancel, and waits for permission
 * answers. Every request is recorded so tests can check resumes and context.
 */
export class ScriptedAgent implements CodeAgent {
  readonly requests: AgentRequest[] = [];
  readonly decisions: { requestId: string; decision: PermissionDecision }[] = [];
  /** Session id reported by each execute, in order. */
  readonly sessions: string[] = [];
  script: (request: AgentRequest) => Script = () => ({ steps: [], answer: "Done." });
  #aborts = new Map<string, AbortController>();
  #permissions = new Map<string, (d: PermissionDecision) => void>();
  #sessions = 0;

  constructor(readonly id = "scripted") {}

  async *execute(request: AgentRequest, options: ExecuteOptions = {}): AsyncIterable<AgentEvent> {
    this.requests.push(request);
    const abort = new AbortController();
    this.#aborts.set(request.runId, abort);
    options.signal?.addEventListener("abort", () => abort.abort(), { once: true });
    const started = Date.now();
    const sessionId = request.sessionId ?? `sess-${++this.#sessions}`;
    const script = this.script(request);
    const stopped = new Promise<"stopped">((resolve) =>
      abort.signal.addEventListener("abort", () => resolve("stopped"), { once: true }),
    );
    const end = (result: Omit<AgentResult, "durationMs" | "sessionId">): AgentEvent => ({
      type: "result",
      result: { ...result, sessionId, durationMs: Date.now() - started },
    });
    this.sessions.push(sessionId);
    yield { type: "session_started", sessionId };
    let n = 0;
    for (const step of script.steps) {
      if (abort.signal.aborted) break;
      if ("tool" in step) {
        const id = `tool-${++n}`;
        yield {
          type: "tool_use",
          id,
          tool: step.tool,
          kind: step.kind ?? kindOf(ClaudeTools.get(step.tool)),
          input: step.input ?? {},
          summary: step.summary ?? `Used ${step.tool}`,
        };
        yield { type: "tool_result", id, ok: step.ok ?? true, output: "" };
      } else if ("text" in step) {
        yield { type: "text", text: step.text };
      } else if ("ask" in step) {
        const requestId = `perm-${++n}`;
        const answer = new Promise<PermissionDecision>((resolve) => this.#permissions.set(requestId, resolve));
        yield { type: "permission_request", id: requestId, tool: step.ask, input: {}, summary: step.summary };
        const decision = await Promise.race([answer, stopped]);
        if (decision === "stopped") break;
        if (!decision.allow)
          yield { type: "permission_denied", tool: step.ask, id: `tool-of-${requestId}`, reason: decision.message };
        else yield { type: "text", text: `${step.ask} approved` };
      } else if ("cost" in step) {
        yield { type: "cost", costUsd: step.cost };
      } else if ("wait" in step) {
        await Promise.race([step.wait, stopped]);
      } else {
        await Promise.race([new Promise((r) => setTimeout(r, step.sleepMs)), stopped]);
      }
    }
    this.#aborts.delete(request.runId);
    if (abort.signal.aborted) return yield end({ outcome: "cancelled", text: "Stopped." });
    if (script.budgetUsd !== undefined)
      return yield end({ ...budgetExceeded(script.budgetUsd), text: "", costUsd: script.costUsd });
    if (script.error)
      return yield end({ outcome: "failed", text: "", error: script.error.message, errorCode: script.error.code });
    yield end({ outcome: "succeeded", text: script.answer ?? "Done.", costUsd: script.costUsd });
  }

  async cancel(runId: string): Promise<void> {
    this.#aborts.get(runId)?.abort();
  }

  async respondToPermission(_runId: string, requestId: string, decision: PermissionDecision): Promise<boolean> {
    const waiting = this.#permissions.get(requestId);
    if (!waiting) return false;
    this.#permissions.delete(requestId);
    this.decisions.push({ requestId, decision });
    waiting(decision);
    return true;
  }

  capabilities(): Capabilities {
    return { resume: true, cancel: true, permissionPrompts: true, streamingText: true, costReporting: true };
  }

  async checkAvailability(): Promise<Availability> {
    return { available: true, version: "scripted 1.0" };
  }
}
