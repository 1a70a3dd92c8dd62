import type { AgentEvent } from "../events.js";
import { buildResult } from "./result.js";
import { ClaudeStreamMapper } from "./stream-mapper.js";

/**
 * What a recorded `stream-json` transcript normalizes to: the same events a live run
 * emits, then exactly one `result` (built from the transcript's latest result line).
 */
export async function* replayClaudeTranscript(
  lines: AsyncIterable<string>,
  options: { cwd?: string } = {},
): AsyncIterable<AgentEvent> {
  const mapper = new ClaudeStreamMapper({ cwd: options.cwd });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    yield* mapper.pushLine(line);
  }
  const summary = mapper.summary();
  yield {
    type: "result",
    result: buildResult(summary, { durationMs: summary.lastResult?.duration_ms ?? 0, exitCode: 0 }),
  };
}
