import type { AgentEvent, Outcome } from "../agents/events.js";

/** What a run card shows; the publisher keeps one per run and re-renders it on every edit. */
export type CardStatus = "queued" | "running" | Outcome | "interrupted";

export interface ToolLine {
  id: string;
  summary: string;
  state: "running" | "ok" | "failed";
}

export interface RunCardState {
  /** Thread root ts: the Cancel button's value. */
  threadTs: string;
  userId: string;
  prompt: string;
  provider?: string;
  /** The model the run asked for (`model=`). */
  model?: string;
  project?: string;
  /** Quiet card (the channel's `/agent quiet`): status, elapsed and counts, no tool lines. */
  quiet?: boolean;
  status: CardStatus;
  /** Epoch ms. */
  startedAt?: number;
  finishedAt?: number;
  /** The last few tool uses, oldest first. */
  tools: ToolLine[];
  toolCount: number;
  commandsRun: number;
  filesChanged: string[];
  /** One line under the status: waiting for approval, retrying, who cancelled, what failed. */
  note?: string;
  /** Who pressed Cancel (a user id). */
  cancelledBy?: string;
  /** Cost so far (from `cost` events while running), then the run's cost. */
  costUsd?: number;
}

/** How many tool lines a card keeps. */
export const CardToolLines = 6;

function editedPath(input: unknown, fallback: string): string {
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    for (const k of ["file_path", "filePath", "notebook_path", "path"]) {
      const v = o[k];
      if (typeof v === "string" && v !== "") return v;
    }
  }
  return fallback;
}

export function newCardState(
  input: Pick<RunCardState, "threadTs" | "userId" | "prompt" | "provider" | "model" | "project" | "quiet">,
) {
  const state: RunCardState = { ...input, status: "queued", tools: [], toolCount: 0, commandsRun: 0, filesChanged: [] };
  return state;
}

/** Events a quiet card folds in without an edit of its own: they change only its counts and cost. */
export function isCountOnly(event: AgentEvent): boolean {
  return event.type === "tool_use" || event.type === "tool_result" || event.type === "cost";
}

/**
 * Fold one agent event into the card. Returns true when the card visibly changed (worth an edit).
 * `result` events are not folded here: the publisher finishes the card from the AgentResult.
 */
export function applyEvent(state: RunCardState, event: AgentEvent): boolean {
  switch (event.type) {
    case "tool_use": {
      state.toolCount += 1;
      if (event.kind === "shell") state.commandsRun += 1;
      if (event.kind === "edit") {
        const p = editedPath(event.input, `#${event.id}`);
        if (!state.filesChanged.includes(p)) state.filesChanged.push(p);
      }
      state.tools.push({ id: event.id, summary: event.summary, state: "running" });
      if (state.tools.length > CardToolLines) state.tools.splice(0, state.tools.length - CardToolLines);
      if (state.note?.startsWith("Retrying") || state.note?.startsWith("Waiting")) state.note = undefined;
      return true;
    }
    case "tool_result": {
      const line = state.tools.find((t) => t.id === event.id);
      if (!line) return false;
      line.state = event.ok ? "ok" : "failed";
      return true;
    }
    case "permission_request":
      state.note = `Waiting for approval: ${event.summary}`;
      return true;
    case "permission_denied":
      state.note = `Permission denied for ${event.tool}${event.reason ? `: ${event.reason}` : ""}`;
      return true;
    case "retrying":
      state.note = `Retrying (attempt ${event.attempt}${event.maxAttempts ? ` of ${event.maxAttempts}` : ""}): ${event.reason}`;
      return true;
    case "error":
      state.note = `Error: ${event.message}`;
      return true;
    case "cost":
      state.costUsd = event.costUsd;
      return true;
    default:
      return false;
  }
}
