/**
 * OpenCode provider: drives the real `opencode serve` (v1 HTTP routes + SSE, 1.18.33).
 *
 * client.ts         HTTP on undici (timeouts, basic auth, non-2xx → ErrOpenCodeHttp)
 * event-stream.ts   SSE on eventsource-parser: heartbeat watchdog, reconnect
 * frames.ts         one frame → validated event (schemas.ts), malformed frames skipped
 * queue.ts          the bounded queue between reader and consumer (bound and back-pressure documented there)
 * translate.ts      OpenCode events → AgentEvent, idempotent, reconciles from message snapshots
 * approvals.ts      permission requests and questions; permissions.ts: policy → per-session rules
 * run.ts            one execute(): session, prompt, turn completion, cancel, timeout, result
 * embedded-server.ts `opencode serve --port 0` when no URL is configured
 * replay.ts         a recorded .sse capture → the same AgentEvents
 */
export { createOpenCodeAgent } from "./agent.js";
export { type OpenCodeOptions, opencodeOptionsFromConfig } from "./options.js";
export { type ReplayOptions, replayOpenCodeSse } from "./replay.js";
