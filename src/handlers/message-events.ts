import type { App } from "@slack/bolt";
import type { CommandRouter } from "./commands/index.js";
import type { HandlerDeps } from "./deps.js";
import { handleIncomingMessage } from "./incoming-message.js";
import { EventEnvelope, issuesOf, MessageEvent } from "./schemas.js";

/** `app_mention` and `message` (channels, groups, DMs): both go through one relevance + dedupe path. */
export function registerMessageEvents(app: App, deps: HandlerDeps, router: CommandRouter): void {
  const listener = async (args: {
    event: unknown;
    body: unknown;
    context: { botUserId?: string; botId?: string; teamId?: string };
  }) => {
    const event = MessageEvent.safeParse(args.event);
    if (!event.success) {
      deps.log.debug({ issues: issuesOf(event.error) }, "ignoring an event we do not handle");
      return;
    }
    const envelope = EventEnvelope.safeParse(args.body);
    const env = envelope.success ? envelope.data : {};
    const teamId = env.team_id ?? event.data.team ?? args.context.teamId;
    if (!teamId) {
      deps.log.warn({ eventId: env.event_id }, "event without a team id; ignored");
      return;
    }
    await handleIncomingMessage(deps, router, {
      event: event.data,
      teamId,
      apiAppId: env.api_app_id,
      eventId: env.event_id,
      botUserId: args.context.botUserId,
      botId: args.context.botId,
    });
  };
  app.event("app_mention", listener);
  app.event("message", listener);
}
