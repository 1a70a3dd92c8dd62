import type { AgentResult } from "../agents/events.js";
import type { Logger } from "../log.js";
import { planAnswer } from "./answer.js";
import { ErrSlackApi } from "./errors.js";
import type { SlackApi } from "./slack-api.js";

/** Slack refused the message itself: attaching the text as a file works where a message cannot. */
const refusedAsMessage = ["msg_too_long", "invalid_blocks"];

/**
 * Post a finished run's answer in its thread through the reliable client: one or a few messages,
 * or a preview plus a file. A message Slack refuses is attached as a file instead; other failures
 * (after the client's retries) are logged, never thrown, so the run's outcome is still recorded.
 */
export async function deliverAnswer(
  api: SlackApi,
  log: Logger,
  where: { channel: string; threadTs: string },
  result: AgentResult,
  cancelledBy?: string,
): Promise<void> {
  const safe = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      log.error(
        { err, what, slackError: err instanceof ErrSlackApi ? err.slackError : undefined },
        "Slack delivery failed",
      );
    }
  };
  const plan = planAnswer(result, cancelledBy);
  if (plan.kind === "file") {
    await safe("answer preview", () => api.postMessage({ ...where, ...plan.preview }));
    await safe("answer file", () =>
      api.uploadFile({ ...where, filename: plan.filename, content: plan.content, comment: "The full answer" }),
    );
    return;
  }
  for (const part of plan.parts) {
    try {
      await api.postMessage({ ...where, ...part });
    } catch (err) {
      if (err instanceof ErrSlackApi && refusedAsMessage.includes(err.slackError) && result.text) {
        log.warn({ slackError: err.slackError }, "answer refused as a message; attaching it as a file");
        await safe("answer file", () =>
          api.uploadFile({ ...where, filename: "answer.md", content: result.text, comment: "The agent's answer" }),
        );
        return;
      }
      log.error({ err, what: "answer" }, "Slack delivery failed");
    }
  }
}
