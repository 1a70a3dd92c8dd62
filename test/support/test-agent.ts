import { existsSync } from "node:fs";
import type { AgentEvent, AgentResult, Outcome } from "../../src/agents/events.js";
import type {
  Availability,
  Capabilities,
  CodeAgent,
  ExecuteOptions,
  PermissionDecision,
} from "../../src/agents/port.js";
import type { AgentRequest } from "../../src/agents/request.js";

/**
 * A scripted CodeAgent for queue and worker tests. The prompt is a JSON script:
 * `{"sleepMs": 5}` works a few ms; `{"hang": true}` runs until cancelled; `{"permission": true}`
 * asks for a permission and waits for the answer; `{"sessionNotFound": true}` fails a resume
 * with `session_not_found`; `{"untilFile": "/tmp/x"}` works until that file exists (or it is cancelled). Anything else (plain text) is a no-op run.
 */
export interface Script {
  sleepMs?: number;
  hang?: boolean;
  permission?: boolean;
  sessionNotFound?: boolean;
  untilFile?: string;
}

export interface TestAgentHooks {
  onStart?(request: AgentRequest): Promise<void> | void;
  onEnd?(request: AgentRequest, outcome: Outcome): Promise<void> | void;
}

export function parseScript(prompt: string): Script {
  try {
    const v: unknown = JSON.parse(prompt);
    return typeof v === "object" && v !== null ? (v as Script) : {};
  } catch {
    return {};
  }
}

interface Running {
  abort: AbortController;
  permission?: (decision: PermissionDecision) => void;
}

export class TestAgent implements CodeAgent {
  readonly running = new Map<string, Running>();
  readonly cancelled: string[] = [];
  readonly requests: AgentRequest[] = [];

  constructor(
    readonly id: string = "test-agent",
    private readonly hooks: TestAgentHooks = {},
  ) {}

  async *execute(request: AgentRequest, options: ExecuteOptions = {}): AsyncIterable<AgentEvent> {
    this.requests.push(request);
    const script = parseScript(request.prompt);
    const started = Date.now();
    const result = (outcome: Outcome, text: string, extra: Partial<AgentResult> = {}): AgentEvent => ({
      type: "result",
      result: { outcome, text, sessionId, durationMs: Date.now() - started, ...extra },
    });
    if (script.sessionNotFound && request.sessionId) {
      yield {
        type: "result",
        result: {
          outcome: "failed",
          text: "",
          durationMs: 0,
          error: "no such session",
          errorCode: "session_not_found",
        },
      };
      return;
    }
    const sessionId = request.sessionId ?? `sess-${request.runId}`;
    const run: Running = { abort: new AbortController() };
    this.running.set(request.runId, run);
    const onAbort = () => run.abort.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) run.abort.abort();
    try {
      yield { type: "session_started", sessionId, model: "scripted" };
      await this.hooks.onStart?.(request);
      let outcome: Outcome = "succeeded";
      let text = "done";
      if (script.permission) {
        yield { type: "permission_request", id: "perm-1", tool: "Bash", input: { command: "ls" }, summary: "Run ls" };
        const decision = await new Promise<PermissionDecision | undefined>((resolve) => {
          run.permission = resolve;
          run.abort.signal.addEventListener("abort", () => resolve(undefined), { once: true });
        });
        if (decision) text = decision.allow ? "permission allowed" : "permission denied";
      }
      if (script.hang)
        await new Promise<void>((resolve) =>
          run.abort.signal.addEventListener("abort", () => resolve(), { once: true }),
        );
      else if (script.untilFile) await untilExists(script.untilFile, run.abort.signal);
      else if (script.sleepMs) await sleep(script.sleepMs, run.abort.signal);
      if (run.abort.signal.aborted) {
        outcome = "cancelled";
        text = "stopped";
      }
      await this.hooks.onEnd?.(request, outcome);
      yield { type: "text", text };
      yield result(outcome, text);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      this.running.delete(request.runId);
    }
  }

  async cancel(runId: string): Promise<void> {
    const run = this.running.get(runId);
    if (!run) return;
    this.cancelled.push(runId);
    run.abort.abort();
  }

  async respondToPermission(runId: string, _requestId: string, decision: PermissionDecision): Promise<boolean> {
    const run = this.running.get(runId);
    if (!run?.permission) return false;
    run.permission(decision);
    run.permission = undefined;
    return true;
  }

  capabilities(): Capabilities {
    return { resume: true, cancel: true, permissionPrompts: true, streamingText: false, costReporting: false };
  }

  async checkAvailability(): Promise<Availability> {
    return { available: true, version: "scripted" };
  }
}

/** Resolve once `file` exists (checked every 50 ms), or when `signal` aborts. */
async function untilExists(file: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && !existsSync(file)) await sleep(50, signal);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
