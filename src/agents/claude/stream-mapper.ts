import { excerpt } from "../../errors.js";
import type { AgentEvent } from "../events.js";
import { describeToolUse } from "../tool-summary.js";
import {
  ApiRetry,
  Assistant,
  blockType,
  CanUseTool,
  Envelope,
  PermissionDenied,
  Result,
  type ResultLine,
  SystemInit,
  TextBlock,
  ToolResultBlock,
  ToolUseBlock,
  User,
} from "./schemas.js";
import { toolOutputText } from "./tool-output.js";
import { ClaudeTools } from "./tools.js";

/** Most text kept for a cancelled run's partial answer (characters). */
export const MaxKeptTextChars = 256 * 1024;

/** What the mapper knows about a run once its stream ended. */
export interface StreamSummary {
  sessionId?: string;
  model?: string;
  /** The latest `result` line, if any. */
  lastResult?: ResultLine;
  /** Cost over every result of this process. */
  costUsd?: number;
  /** Text blocks of the current (or else the latest finished) turn, bounded. */
  texts: string[];
  /** Text of a synthetic API error message (`is_api_error_message`). */
  apiError?: string;
  /** Excerpts of the first lines that were not JSON. */
  garbage: string[];
  jsonLines: number;
}

/**
 * Turns Claude Code `stream-json` lines into `AgentEvent`s. Stateful (tool names by id,
 * session id, latest result) and pure: no I/O, so live runs, replays and benchmarks share it.
 * The final `result` event is built by `buildResult` from `summary()` plus how the process ended.
 */
export class ClaudeStreamMapper {
  readonly #cwd: string | undefined;
  readonly #denied = new Set<string>();
  readonly #askedToolUse = new Map<string, string>();
  #results = 0;
  #sessionId: string | undefined;
  #model: string | undefined;
  #lastResult: ResultLine | undefined;
  #perTurnCost: number | undefined;
  /** Text blocks of the current turn, and of the turn the latest result ended (bounded). */
  #texts: string[] = [];
  #textChars = 0;
  #lastTurnTexts: string[] = [];
  #apiError: string | undefined;
  #garbage: string[] = [];
  #jsonLines = 0;
  #inTurn = false;

  constructor(options: { cwd?: string } = {}) {
    this.#cwd = options.cwd;
  }

  /** Map one raw stdout line. Lines that are not JSON are remembered for the error message, never thrown. */
  pushLine(line: string): AgentEvent[] {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (this.#garbage.length < 3) this.#garbage.push(excerpt(line, 200));
      return [];
    }
    return this.push(value);
  }

  /** A tool use that was denied outside the stream (answered by us): not reported twice. */
  markDenied(toolUseId: string): void {
    this.#denied.add(toolUseId);
  }

  push(value: unknown): AgentEvent[] {
    const env = Envelope.safeParse(value);
    if (!env.success) {
      if (this.#garbage.length < 3) this.#garbage.push(excerpt(JSON.stringify(value) ?? "", 200));
      return [];
    }
    this.#jsonLines++;
    const { type, subtype } = env.data;
    if (type === "assistant" || type === "user" || (type === "system" && subtype === "init")) this.#inTurn = true;
    switch (type) {
      case "system":
        return this.#system(subtype, value);
      case "assistant":
        return this.#assistant(value);
      case "user":
        return this.#user(value);
      case "result":
        return this.#result(value);
      case "control_request":
        return this.#controlRequest(value);
      default:
        return [];
    }
  }

  /** Number of `result` lines so far (one per turn). */
  get resultCount(): number {
    return this.#results;
  }

  /** Lines that were stream-json events (not garbage) so far. */
  get eventLines(): number {
    return this.#jsonLines;
  }

  /** A turn started (init, assistant or user line) and its `result` line has not come yet. */
  get inTurn(): boolean {
    return this.#inTurn;
  }

  /** The tool use a permission request (by request id) is about. */
  toolUseIdOf(requestId: string): string | undefined {
    return this.#askedToolUse.get(requestId);
  }

  summary(): StreamSummary {
    return {
      sessionId: this.#lastResult?.session_id ?? this.#sessionId,
      model: this.#model,
      lastResult: this.#lastResult,
      costUsd: this.#perTurnCost ?? this.#lastResult?.total_cost_usd,
      texts: this.#texts.length ? [...this.#texts] : [...this.#lastTurnTexts],
      apiError: this.#apiError,
      garbage: [...this.#garbage],
      jsonLines: this.#jsonLines,
    };
  }

  #system(subtype: string | undefined, value: unknown): AgentEvent[] {
    if (subtype === "init") {
      const p = SystemInit.safeParse(value);
      if (!p.success) return [];
      const first = this.#sessionId !== p.data.session_id;
      this.#sessionId = p.data.session_id;
      this.#model = p.data.model ?? this.#model;
      return first ? [{ type: "session_started", sessionId: p.data.session_id, model: p.data.model }] : [];
    }
    if (subtype === "api_retry") {
      const p = ApiRetry.safeParse(value);
      if (!p.success) return [];
      const r = p.data;
      const reason = [r.error ?? "unknown error", r.error_status ? `HTTP ${r.error_status}` : undefined]
        .filter(Boolean)
        .join(", ");
      return [{ type: "retrying", attempt: r.attempt, maxAttempts: r.max_retries, reason, delayMs: r.retry_delay_ms }];
    }
    if (subtype === "permission_denied") {
      const p = PermissionDenied.safeParse(value);
      if (!p.success) return [];
      if (p.data.tool_use_id) {
        if (this.#denied.has(p.data.tool_use_id)) return [];
        this.#denied.add(p.data.tool_use_id);
      }
      return [{ type: "permission_denied", tool: p.data.tool_name, id: p.data.tool_use_id, reason: p.data.message }];
    }
    return [];
  }

  #assistant(value: unknown): AgentEvent[] {
    const p = Assistant.safeParse(value);
    if (!p.success) return [];
    const a = p.data;
    const events: AgentEvent[] = [];
    const synthetic = a.is_api_error_message === true || (a.error !== undefined && a.message.model === "<synthetic>");
    for (const block of a.message.content) {
      const kind = blockType(block);
      if (kind !== "text" && kind !== "tool_use") continue; // thinking and unknown blocks are not shown
      const text = TextBlock.safeParse(block);
      if (text.success) {
        if (synthetic) this.#apiError = text.data.text;
        else if (text.data.text.trim() !== "") {
          this.#keepText(text.data.text);
          events.push({ type: "text", text: text.data.text });
        }
        continue;
      }
      const use = ToolUseBlock.safeParse(block);
      if (use.success) {
        const u = use.data;
        const { kind, summary } = describeToolUse(ClaudeTools, u.name, u.input, this.#cwd);
        events.push({
          type: "tool_use",
          id: u.id,
          tool: u.name,
          kind,
          input: u.input,
          summary,
          ...(a.parent_tool_use_id ? { parentId: a.parent_tool_use_id } : {}),
        });
      }
    }
    return events;
  }

  #user(value: unknown): AgentEvent[] {
    const p = User.safeParse(value);
    if (!p.success || p.data.isReplay || typeof p.data.message.content === "string") return [];
    const events: AgentEvent[] = [];
    for (const block of p.data.message.content) {
      if (blockType(block) !== "tool_result") continue;
      const r = ToolResultBlock.safeParse(block);
      if (!r.success) continue;
      events.push({
        type: "tool_result",
        id: r.data.tool_use_id,
        ok: r.data.is_error !== true,
        output: toolOutputText(r.data.content),
      });
    }
    return events;
  }

  #result(value: unknown): AgentEvent[] {
    const p = Result.safeParse(value);
    if (!p.success) return [];
    const r = p.data;
    this.#lastResult = r;
    this.#results++;
    this.#inTurn = false;
    this.#lastTurnTexts = this.#texts;
    this.#texts = [];
    this.#textChars = 0;
    if (r.model_usage_since_last_result) {
      const turn = Object.values(r.model_usage_since_last_result).reduce((s, m) => s + (m.costUSD ?? 0), 0);
      this.#perTurnCost = (this.#perTurnCost ?? 0) + turn;
    }
    const events: AgentEvent[] = [];
    for (const d of r.permission_denials ?? []) {
      if (d.tool_use_id && this.#denied.has(d.tool_use_id)) continue;
      events.push({ type: "permission_denied", tool: d.tool_name, id: d.tool_use_id });
    }
    // Per-turn state: a turn's denials and asks are settled once its result is out.
    this.#denied.clear();
    this.#askedToolUse.clear();
    return events;
  }

  /** Keep a text block, dropping the oldest once the turn's text exceeds the bound. */
  #keepText(text: string): void {
    this.#texts.push(text);
    this.#textChars += text.length;
    while (this.#textChars > MaxKeptTextChars && this.#texts.length > 1) {
      this.#textChars -= (this.#texts.shift() as string).length;
    }
  }

  #controlRequest(value: unknown): AgentEvent[] {
    const p = CanUseTool.safeParse(value);
    if (!p.success) return [];
    const { request_id, request } = p.data;
    if (request.tool_use_id) this.#askedToolUse.set(request_id, request.tool_use_id);
    return [
      {
        type: "permission_request",
        id: request_id,
        tool: request.tool_name,
        input: request.input,
        summary: describeToolUse(ClaudeTools, request.tool_name, request.input, this.#cwd).summary,
      },
    ];
  }
}
