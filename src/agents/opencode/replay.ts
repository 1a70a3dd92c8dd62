import { ErrNotATranscript, ErrTranscriptTruncated } from "../errors.js";
import type { AgentEvent, AgentResult } from "../events.js";
import { FrameDecoder } from "./frames.js";
import { outcomeOf } from "./result.js";
import type { MessageError, OpenCodeEvent } from "./schemas.js";
import { Translator } from "./translate.js";

const Provider = "OpenCode";

export interface ReplayOptions {
  /** The session to follow. Absent: the first top-level session of the capture. */
  sessionId?: string;
  /** Workspace directory, for relative paths in tool summaries. */
  cwd?: string;
}

/** The first session a capture is about: a created top-level session, else the first session seen. */
function pickRoot(event: OpenCodeEvent): string | undefined {
  if (event.type === "session.created") return event.properties.info.parentID ? undefined : event.properties.info.id;
  if (event.type === "message.updated" && event.properties.info.role === "user") return event.properties.info.sessionID;
  return undefined;
}

/**
 * Normalize a recorded OpenCode SSE capture (`/event` or `/global/event`, one line per
 * array item) into the same `AgentEvent`s a live run emits, ending with one `result`.
 * A capture may hold several turns: an error of an earlier turn comes out as an `error`
 * event, and the result describes the last turn. Malformed frames are skipped.
 *
 * Each line is one SSE field line (`data: {…}`); blank lines are optional, since every OpenCode
 * frame is one line of JSON. No well-formed frame, or no session: `ErrNotATranscript`. A turn
 * still busy at the end (the capture was cut): its events, then `ErrTranscriptTruncated`.
 */
export async function* replayOpenCodeSse(
  lines: AsyncIterable<string>,
  options: ReplayOptions = {},
): AsyncIterable<AgentEvent> {
  const started = Date.now();
  const translator = new Translator({ root: options.sessionId, cwd: options.cwd });
  const decoder = new FrameDecoder();
  let announced = false;
  let turnError: MessageError | undefined;
  let busy = false;
  let anyTurn = false;
  let idleSeen = false;
  const askedTools = new Map<string, string>();

  function* handle(event: OpenCodeEvent): Generator<AgentEvent> {
    if (!translator.root) translator.root = pickRoot(event);
    if (!translator.root || !translator.accepts(event)) return;
    const root = translator.root;
    if (!announced) {
      announced = true;
      yield { type: "session_started", sessionId: root };
    }
    if (event.type === "session.status" && event.properties.sessionID === root) {
      if (event.properties.status.type === "busy" && !busy) {
        busy = true;
        anyTurn = true;
        if (turnError && turnError.name !== "MessageAbortedError") {
          yield { type: "error", message: turnError.data?.message ?? turnError.name, code: turnError.name };
        }
        turnError = undefined;
      }
    }
    if (event.type === "session.idle" && event.properties.sessionID === root) {
      busy = false;
      idleSeen = true;
    }
    if (event.type === "session.error" && event.properties.sessionID === root && event.properties.error) {
      turnError = event.properties.error;
    }
    if (event.type === "permission.asked") {
      const { tool, input, summary } = translator.describePermission(event.properties);
      askedTools.set(event.properties.id, tool);
      yield { type: "permission_request", id: event.properties.id, tool, input, summary };
    }
    if (event.type === "permission.replied" && event.properties.reply === "reject") {
      const { requestID } = event.properties;
      yield {
        type: "permission_denied",
        tool: askedTools.get(requestID) ?? "unknown",
        id: requestID,
        reason: "rejected",
      };
    }
    yield* translator.handle(event);
  }

  // Text deltas are joined into one `text` event per run of text (a live run streams them).
  let text = "";
  function* emit(events: Iterable<AgentEvent>): Generator<AgentEvent> {
    for (const e of events) {
      if (e.type === "text") {
        text += e.text;
        continue;
      }
      if (text) yield { type: "text", text };
      text = "";
      yield e;
    }
  }
  let wellFormed = 0;
  for await (const line of lines) {
    if (line.trim() === "") continue;
    for (const frame of decoder.feed(`${line}\n\n`)) {
      if (frame.kind !== "malformed") wellFormed++;
      if (frame.kind === "event") yield* emit(handle(frame.event));
    }
  }
  if (text) yield { type: "text", text };
  if (wellFormed === 0) {
    throw new ErrNotATranscript(Provider, 'none of its lines is an OpenCode event frame (`data: {"type": …}`)');
  }
  if (!announced) throw new ErrNotATranscript(Provider, "none of its events belongs to a session");
  if (busy) throw new ErrTranscriptTruncated(Provider, "its last turn never went idle");

  const totals = translator.totals();
  const outcome = outcomeOf({
    error: turnError ?? translator.lastError(),
    timedOut: false,
    cancelRequested: false,
    promptSent: true,
    completed: idleSeen || !anyTurn,
    finishedNormally: translator.lastFinishedNormally(),
  });
  const result: AgentResult = {
    outcome: outcome.outcome,
    sessionId: translator.root,
    text: translator.finalText(),
    costUsd: totals.costUsd,
    durationMs: Date.now() - started,
    turns: totals.turns,
    usage: totals.usage,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
  };
  yield { type: "result", result };
}
