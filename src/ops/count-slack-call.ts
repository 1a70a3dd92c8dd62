import { classifySlackFailure } from "../slack/slack-failure.js";
import type { Metrics } from "./metrics.js";

/** Run one Slack call and count it by method and outcome (ok, error, ratelimited): the meters' one rule. */
export async function countSlackCall<T>(metrics: Metrics, method: string, call: () => Promise<T>): Promise<T> {
  try {
    const value = await call();
    metrics.slackCall(method, "ok");
    return value;
  } catch (err) {
    metrics.slackCall(method, classifySlackFailure(err).kind === "rate_limited" ? "ratelimited" : "error");
    throw err;
  }
}
