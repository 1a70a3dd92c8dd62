import type { App } from "@slack/bolt";
import { ActionIds } from "../slack/actions.js";
import { threadKey } from "../store/thread-key.js";
import { cancelRun } from "./cancel-run.js";
import type { HandlerDeps } from "./deps.js";
import { BlockActionPayload, issuesOf } from "./schemas.js";

/** Cancel button on a run card: the requester or an admin stops the run, wherever it runs. */
export function registerCancelAction(app: App, deps: HandlerDeps): void {
  app.action(ActionIds.cancel, async ({ ack, body }) => {
    await ack();
    const parsed = BlockActionPayload.safeParse(body);
    if (!parsed.success) {
      deps.log.warn({ issues: issuesOf(parsed.error) }, "unexpected cancel payload");
      return;
    }
    const b = parsed.data;
    const teamId = b.team?.id;
    if (!teamId) return;
    const userId = b.user.id;
    const channel = b.container.channel_id;
    const cardTs = b.container.message_ts;
    await cancelRun(deps, {
      userId,
      threadKey: threadKey({ teamId, channelId: channel, threadTs: b.container.thread_ts ?? cardTs }),
      cardTs,
      via: "button",
      tell: (text) =>
        deps.slack
          .postEphemeral({ channel, user: userId, text, threadTs: b.container.thread_ts })
          .catch((err: unknown) => deps.log.warn({ err }, "ephemeral failed")),
    });
  });
}
