import type { App } from "@slack/bolt";
import { threadKey } from "../store/thread-key.js";
import { cancelRun } from "./cancel-run.js";
import { Claims, eventKey } from "./dedupe.js";
import type { HandlerDeps } from "./deps.js";
import { AgentSessionStoppedEvent, EventEnvelope, issuesOf } from "./schemas.js";

/**
 * Slack's own stop button on a thread's agent session (`agent_session_stopped`): the same cancel
 * as the run card's Cancel button, with the same check of who may. The worker's end of the run
 * moves the session off `processing` (Slack does not).
 */
export function registerAgentSessionStopped(app: App, deps: HandlerDeps): void {
  app.event("agent_session_stopped", async ({ event, body, context }) => {
    const parsed = AgentSessionStoppedEvent.safeParse(event);
    if (!parsed.success) {
      deps.log.warn({ issues: issuesOf(parsed.error) }, "unexpected agent_session_stopped event");
      return;
    }
    const e = parsed.data;
    const envelope = EventEnvelope.safeParse(body);
    const env = envelope.success ? envelope.data : {};
    const teamId = env.team_id ?? context.teamId;
    if (!teamId) return;
    // Slack delivers an event again when the first delivery was slow: one press, one cancel.
    const claims = new Claims(deps.db);
    if (env.event_id && !(await claims.claim(eventKey({ apiAppId: env.api_app_id, teamId, eventId: env.event_id }))))
      return;
    try {
      await cancelRun(deps, {
        userId: e.user,
        threadKey: threadKey({ teamId, channelId: e.channel, threadTs: e.thread_ts }),
        via: "slack_stop",
        // A session left `processing` by a run that ended elsewhere (a replica gone) is let go here.
        nothingRunning: async () =>
          deps.native
            ?.setAgentStatus({ channel: e.channel, threadTs: e.thread_ts, status: "active" })
            .catch((err: unknown) => deps.log.debug({ err }, "agent session status not set")),
        tell: (text) =>
          deps.slack
            .postEphemeral({ channel: e.channel, user: e.user, text, threadTs: e.thread_ts })
            .catch((err: unknown) => deps.log.warn({ err }, "ephemeral failed")),
      });
    } catch (err) {
      // Not taken: a retry of the event may take it.
      await claims.release();
      deps.log.error({ err, channel: e.channel }, "handling Slack's stop failed");
    }
  });
}
