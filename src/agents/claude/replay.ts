import { ErrNotATranscript, ErrTranscriptTruncated } from "../errors.js";
import type { AgentEvent } from "../events.js";
import { buildResult } from "./result.js";
import { ClaudeStreamMapper } from "./stream-mapper.js";

const Provider = "Claude Code";

/**
 * What a recorded `stream-json` transcript normalizes to: the same events a live run
 * emits, then exactly one `result` (built from the transcript's latest result line).
 * Nothing recognizable: `ErrNotATranscript`. A turn without its result line (the file was
 * cut): the events it holds, then `ErrTranscriptTruncated`; no outcome is made up.
 */
export async function* replayClaudeTranscript(
  lines: AsyncIterable<string>,
  options: { cwd?: string } = {},
): AsyncIterable<AgentEvent> {
  const mapper = new ClaudeStreamMapper({ cwd: options.cwd });
  let count = 0;
  for await (const line of lines) {
    if (line.trim() === "") continue;
    count++;
    yield* mapper.pushLine(line);
  }
  if (mapper.eventLines === 0) {
    throw new ErrNotATranscript(
      Provider,
      count === 0
        ? "it holds no readable lines"
        : `none of its ${count} line(s) is a stream-json event (record one with claude -p --output-format stream-json --verbose)`,
    );
  }
  if (mapper.resultCount === 0) throw new ErrTranscriptTruncated(Provider, "it has no result line");
  if (mapper.inTurn) throw new ErrTranscriptTruncated(Provider, "its last turn has no result line");
  const summary = mapper.summary();
  yield {
    type: "result",
    result: buildResult(summary, { durationMs: summary.lastResult?.duration_ms ?? 0, exitCode: 0 }),
  };
}
