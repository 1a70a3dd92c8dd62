import type { AgentEvent, AgentResult } from "../agents/events.js";
import type { RunInfo, RunPublisher } from "../worker/publisher.js";
import type { Metrics } from "./metrics.js";

/**
 * A RunPublisher that records each run's outcome and duration, then hands everything to the real
 * publisher. The worker reports runs to its publisher already: metrics need no second hook there.
 * Only the worker gets this wrapper; everything else talks to the real publisher.
 */
export function meteredPublisher(inner: RunPublisher, metrics: Metrics): RunPublisher {
  // Every method of the port, optional ones included: the compiler refuses a wrapper that drops one.
  const wrapped: { [K in keyof Required<RunPublisher>]: RunPublisher[K] } = {
    runStarted: (run: RunInfo) => inner.runStarted(run),
    runEvent: (run: RunInfo, event: AgentEvent) => inner.runEvent(run, event),
    runFinished: (run: RunInfo, result: AgentResult, extra: { cancelledBy?: string }) => {
      metrics.runFinished(run.provider, result.outcome, Date.now() - run.startedAt.getTime());
      return inner.runFinished(run, result, extra);
    },
    runInterrupted: (run, reason) => {
      metrics.runFinished(run.provider, "interrupted", run.startedAt ? Date.now() - run.startedAt.getTime() : 0);
      return inner.runInterrupted(run, reason);
    },
    runNotice: inner.runNotice?.bind(inner),
    runCancelledBeforeStart: inner.runCancelledBeforeStart?.bind(inner),
  };
  return wrapped;
}
