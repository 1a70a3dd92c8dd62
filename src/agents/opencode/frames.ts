import { createParser, type EventSourceParser } from "eventsource-parser";
import { GlobalFrame, HandledTypes, OpenCodeEvent, RawFrame } from "./schemas.js";

/**
 * One SSE `data:` payload, decoded. `/event` frames are `{type, properties}`; `/global/event`
 * frames wrap the same in `{directory, payload}` (and add internal `sync` frames, ignored).
 */
export type Frame =
  | { kind: "event"; event: OpenCodeEvent; directory?: string }
  /** Well-formed, but of a type codethread does not act on (plugin.added, session.diff…). */
  | { kind: "ignored"; type: string }
  /** Not JSON, or a handled type whose fields do not validate. Logged and skipped. */
  | { kind: "malformed"; reason: string; data: string };

export function decodeFrame(data: string): Frame {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: "malformed", reason: "not JSON", data };
  }
  let directory: string | undefined;
  const global = GlobalFrame.safeParse(json);
  if (global.success && global.data.payload !== undefined) {
    directory = global.data.directory;
    json = global.data.payload;
  }
  const raw = RawFrame.safeParse(json);
  if (!raw.success) return { kind: "malformed", reason: "no event type", data };
  if (!HandledTypes.has(raw.data.type)) return { kind: "ignored", type: raw.data.type };
  const event = OpenCodeEvent.safeParse(raw.data);
  if (!event.success) {
    const issue = event.error.issues[0];
    return { kind: "malformed", reason: `${raw.data.type}: ${issue?.path.join(".")} ${issue?.message}`, data };
  }
  return { kind: "event", event: event.data, directory };
}

/**
 * Incremental SSE decoding on eventsource-parser: feed text chunks, collect the frames they
 * complete. Synchronous, so the caller decides when to read more (back-pressure).
 */
export class FrameDecoder {
  #pending: Frame[] = [];
  readonly #parser: EventSourceParser;

  constructor() {
    this.#parser = createParser({
      onEvent: (message) => {
        if (message.data.trim() !== "") this.#pending.push(decodeFrame(message.data));
      },
      onError: (error) => this.#pending.push({ kind: "malformed", reason: error.message, data: "" }),
    });
  }

  feed(chunk: string): Frame[] {
    this.#parser.feed(chunk);
    const out = this.#pending;
    this.#pending = [];
    return out;
  }

  reset(): void {
    this.#parser.reset();
    this.#pending = [];
  }
}
