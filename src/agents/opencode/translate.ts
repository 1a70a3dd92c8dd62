import { type AgentEvent, type TokenUsage, toolOutputExcerpt } from "../events.js";
import { describeToolUse } from "../tool-summary.js";
import {
  type MessageInfo,
  type MessageWithParts,
  type OpenCodeEvent,
  type Part,
  type PermissionAsked,
  sessionOf,
  ToolState,
} from "./schemas.js";
import { OpenCodeTools } from "./tools.js";

interface ToolTrack {
  session: string;
  tool: string;
  input: unknown;
  used: boolean;
  finished: boolean;
}

/**
 * Maps OpenCode events of one run (the root session and its subagent sessions) to
 * `AgentEvent`s. Idempotent: an update seen twice, or replayed from `GET /session/:id/message`
 * after a reconnect (`reconcile`), never emits a tool use, a tool result or text twice, and
 * fills in whatever was missed. Holds no I/O: the run decides about idles, errors and approvals.
 */
export class Translator {
  root?: string;
  readonly #cwd?: string;
  /** Child session → the `task` tool call that started it (when known). */
  readonly #children = new Map<string, string | undefined>();
  /** Messages that belong to earlier turns: their late updates are ignored. */
  readonly #ignored: Set<string>;
  readonly #roles = new Map<string, "user" | "assistant">();
  readonly #partTypes = new Map<string, string>();
  /** Text emitted so far per part (always a prefix of the part's full text). */
  readonly #text = new Map<string, string>();
  /**
   * Text parts whose every delta we have seen since their start on the live stream: only
   * these take deltas. A part first seen in a snapshot, or open during a reconnect, is filled
   * from its next full text instead, so the emitted text stays a prefix of the server's.
   */
  readonly #live = new Set<string>();
  readonly #textParts = new Map<string, string[]>();
  readonly #tools = new Map<string, ToolTrack>();
  readonly #assistant = new Map<string, MessageInfo>();
  /** The run's cost last reported in a `cost` event. */
  #reportedCost = 0;

  constructor(options: { root?: string; cwd?: string; ignoreMessages?: Iterable<string> } = {}) {
    this.root = options.root;
    this.#cwd = options.cwd;
    this.#ignored = new Set(options.ignoreMessages);
  }

  ignoreMessages(ids: Iterable<string>): void {
    for (const id of ids) this.#ignored.add(id);
  }

  tracks(sessionId: string | undefined): boolean {
    return sessionId !== undefined && (sessionId === this.root || this.#children.has(sessionId));
  }

  get children(): string[] {
    return [...this.#children.keys()];
  }

  /** True for events of this run, including a subagent session announcing itself. */
  accepts(event: OpenCodeEvent): boolean {
    if (event.type === "session.created") {
      const { id, parentID } = event.properties.info;
      if (parentID && this.tracks(parentID) && !this.#children.has(id)) {
        this.#children.set(id, this.#runningTaskIn(parentID));
      }
    }
    return this.tracks(sessionOf(event));
  }

  handle(event: OpenCodeEvent): AgentEvent[] {
    switch (event.type) {
      case "session.status": {
        const { status } = event.properties;
        if (status.type !== "retry") return [];
        const delayMs = status.next !== undefined ? Math.max(0, status.next - Date.now()) : undefined;
        return [{ type: "retrying", attempt: status.attempt ?? 1, reason: status.message ?? "retrying", delayMs }];
      }
      case "message.updated":
        // A step's cost lands on its message when the step finishes: the run's total so far.
        this.#message(event.properties.info);
        return this.#costSoFar();
      case "message.part.updated":
        return this.#part(event.properties.part, true);
      case "message.part.delta": {
        const { partID, messageID, sessionID, field, delta } = event.properties;
        if (field !== "text" || !this.#live.has(partID)) return [];
        if (sessionID !== this.root || this.#roles.get(messageID) !== "assistant" || this.#ignored.has(messageID)) {
          return [];
        }
        this.#text.set(partID, (this.#text.get(partID) ?? "") + delta);
        return delta ? [{ type: "text", text: delta }] : [];
      }
      default:
        return [];
    }
  }

  /**
   * The stream was interrupted: deltas of the text parts seen so far may be missing, so stop
   * appending deltas to them; their full text (from the final update or a snapshot) fills the gap.
   */
  markGap(): void {
    this.#live.clear();
  }

  /** Replay a snapshot of messages (after a reconnect, or at the end of a turn): only what is missing comes out. */
  reconcile(messages: readonly MessageWithParts[]): AgentEvent[] {
    const out: AgentEvent[] = [];
    for (const { info, parts } of messages) {
      if (this.#ignored.has(info.id) || !this.tracks(info.sessionID)) continue;
      this.#message(info);
      for (const part of parts) out.push(...this.#part(part, false));
    }
    out.push(...this.#costSoFar());
    return out;
  }

  /** Tool name and input for a permission request (from its tool call when seen, else its metadata). */
  describePermission(asked: PermissionAsked): { tool: string; input: unknown; summary: string } {
    const track = asked.tool ? this.#tools.get(asked.tool.callID) : undefined;
    const known = track?.input && typeof track.input === "object" && Object.keys(track.input).length > 0;
    const input = known ? track.input : { ...asked.metadata, pattern: asked.patterns.join(" ") };
    const tool = track?.tool ?? asked.permission;
    return { tool, input, summary: describeToolUse(OpenCodeTools, tool, input, this.#cwd).summary };
  }

  /** Final answer: the text of the last root assistant message that has text. */
  finalText(): string {
    const ids = [...this.#assistant.values()].filter((m) => m.sessionID === this.root).map((m) => m.id);
    for (const id of ids.reverse()) {
      const text = (this.#textParts.get(id) ?? []).map((p) => this.#text.get(p) ?? "").join("");
      if (text.trim() !== "") return text;
    }
    return "";
  }

  /** The error of the last root assistant message, if it ended with one. */
  lastError(): MessageInfo["error"] {
    const last = [...this.#assistant.values()].filter((m) => m.sessionID === this.root).at(-1);
    return last?.error;
  }

  /** The last root assistant message has finished (completed or failed). */
  lastMessageDone(): boolean {
    const last = [...this.#assistant.values()].filter((m) => m.sessionID === this.root).at(-1);
    return !last || last.time?.completed !== undefined || last.error !== undefined;
  }

  /** The last root assistant message finished by itself: completed, no error, not mid tool calls. */
  lastFinishedNormally(): boolean {
    const last = [...this.#assistant.values()].filter((m) => m.sessionID === this.root).at(-1);
    return !!last && last.time?.completed !== undefined && !last.error && last.finish !== "tool-calls";
  }

  totals(): { costUsd?: number; usage?: TokenUsage; turns: number; model?: string } {
    let cost = 0;
    const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    let turns = 0;
    let model: string | undefined;
    for (const m of this.#assistant.values()) {
      cost += m.cost ?? 0;
      usage.inputTokens += m.tokens?.input ?? 0;
      usage.outputTokens += m.tokens?.output ?? 0;
      usage.cacheReadTokens = (usage.cacheReadTokens ?? 0) + (m.tokens?.cache?.read ?? 0);
      usage.cacheWriteTokens = (usage.cacheWriteTokens ?? 0) + (m.tokens?.cache?.write ?? 0);
      if (m.sessionID === this.root) {
        turns += 1;
        if (m.providerID && m.modelID) model = `${m.providerID}/${m.modelID}`;
      }
    }
    return {
      costUsd: this.#assistant.size ? cost : undefined,
      usage: this.#assistant.size ? usage : undefined,
      turns,
      model,
    };
  }

  /** A `cost` event when the run's total grew since the last one. */
  #costSoFar(): AgentEvent[] {
    const cost = this.totals().costUsd ?? 0;
    if (cost <= this.#reportedCost) return [];
    this.#reportedCost = cost;
    return [{ type: "cost", costUsd: cost }];
  }

  #message(info: MessageInfo): void {
    this.#roles.set(info.id, info.role);
    if (info.role === "assistant" && !this.#ignored.has(info.id) && this.tracks(info.sessionID)) {
      this.#assistant.set(info.id, info);
    }
  }

  #part(part: Part, live: boolean): AgentEvent[] {
    this.#partTypes.set(part.id, part.type);
    if (this.#ignored.has(part.messageID)) return [];
    if (part.type === "text") return this.#textPart(part, live);
    if (part.type === "tool") return this.#toolPart(part);
    return [];
  }

  #textPart(part: Part, live: boolean): AgentEvent[] {
    if (part.sessionID !== this.root || this.#roles.get(part.messageID) !== "assistant") return [];
    if (part.synthetic || part.ignored) return [];
    const list = this.#textParts.get(part.messageID) ?? [];
    if (!list.includes(part.id)) this.#textParts.set(part.messageID, [...list, part.id]);
    const full = part.text ?? "";
    const seen = this.#text.get(part.id) ?? "";
    if (!full.startsWith(seen)) return []; // older than what we have
    if (live) this.#live.add(part.id);
    if (full.length === seen.length) return [];
    this.#text.set(part.id, full);
    return [{ type: "text", text: full.slice(seen.length) }];
  }

  #toolPart(part: Part): AgentEvent[] {
    const state = ToolState.safeParse(part.state);
    if (!state.success || !part.tool) return [];
    const key = part.callID ?? part.id;
    const track = this.#tools.get(key) ?? {
      session: part.sessionID,
      tool: part.tool,
      input: {},
      used: false,
      finished: false,
    };
    this.#tools.set(key, track);
    const s = state.data;
    if (s.status === "pending") return [];
    track.input = s.input ?? track.input;
    const out: AgentEvent[] = [];
    const meta = s.status === "running" || s.status === "completed" ? s.metadata : undefined;
    if (part.tool === "task" && meta) {
      const child = meta.sessionId;
      if (typeof child === "string" && this.tracks(part.sessionID)) this.#children.set(child, key);
    }
    const { kind, summary } = describeToolUse(OpenCodeTools, part.tool, track.input, this.#cwd);
    if (!track.used) {
      track.used = true;
      const parentId = part.sessionID !== this.root ? this.#children.get(part.sessionID) : undefined;
      out.push({
        type: "tool_use",
        id: key,
        tool: part.tool,
        kind,
        input: track.input,
        summary,
        ...(parentId ? { parentId } : {}),
      });
    }
    if ((s.status === "completed" || s.status === "error") && !track.finished) {
      track.finished = true;
      const output = s.status === "completed" ? s.output : s.error;
      out.push({ type: "tool_result", id: key, ok: s.status === "completed", output: toolOutputExcerpt(output) });
    }
    return out;
  }

  /** The most recent unfinished `task` call in a session (the likely parent of a new child). */
  #runningTaskIn(sessionId: string): string | undefined {
    let found: string | undefined;
    for (const [key, t] of this.#tools) if (t.session === sessionId && t.tool === "task" && !t.finished) found = key;
    return found;
  }
}
