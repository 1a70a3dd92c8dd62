import type { App } from "@slack/bolt";
import { slashReply } from "../slack/slash-reply.js";
import { isAdmin } from "./authorize.js";
import type { CommandRouter } from "./commands/index.js";
import { Claims, slashKey } from "./dedupe.js";
import type { HandlerDeps } from "./deps.js";
import { issuesOf, SlashCommandPayload } from "./schemas.js";
import { notTakenMessage, startRun } from "./start-run.js";

export const AgentCommandName = "/agent";

/**
 * `/agent …`: the command router answers commands (access first; quick answers in the ack itself,
 * slow ones after it); anything else is a run request, acknowledged at once and then queued.
 */
export function registerSlashCommand(app: App, deps: HandlerDeps, router: CommandRouter): void {
  app.command(AgentCommandName, async ({ command, ack, respond }) => {
    const parsed = SlashCommandPayload.safeParse(command);
    if (!parsed.success) {
      deps.log.warn({ issues: issuesOf(parsed.error) }, "unexpected slash command payload");
      await ack({ response_type: "ephemeral", text: "Sorry, Slack sent a command I could not read." });
      return;
    }
    const c = parsed.data;
    const reply = slashReply(ack, respond);
    const claims = new Claims(deps.db);
    const key = c.trigger_id ? slashKey({ teamId: c.team_id, triggerId: c.trigger_id }) : undefined;
    const dispatch = await router.dispatch(c.text, {
      deps,
      source: "slash",
      prefix: AgentCommandName,
      teamId: c.team_id,
      user: c.user_id,
      channel: c.channel_id,
      isAdmin: isAdmin(deps.access, c.user_id),
      delivery: key ? { key, claim: () => claims.claim(key) } : undefined,
      ...reply,
    });
    if (dispatch.kind === "handled") return;
    if (!dispatch.slackPrompt.trim()) {
      return reply.respond(
        `Tell the agent what to do, e.g. \`${AgentCommandName} fix the failing test\`. \`${AgentCommandName} help\` lists the options.`,
      );
    }
    await reply.ack();
    await deps.ackFirst?.settled();

    try {
      if (key && !(await claims.claim(key))) return;
      const result = await startRun(deps, {
        teamId: c.team_id,
        channelId: c.channel_id,
        userId: c.user_id,
        slackPrompt: dispatch.slackPrompt,
        agent: dispatch.agent,
        model: dispatch.model,
        project: dispatch.project,
        source: "slash",
        responseUrl: c.response_url,
        dedupeKey: key ?? `slash:${Date.now()}:${Math.random()}`,
      });
      if (!result.ok) await reply.respond(result.message);
    } catch (err) {
      await claims.release();
      deps.log.error({ err }, "slash command failed");
      await reply
        .respond(notTakenMessage(err))
        .catch((e: unknown) => deps.log.error({ err: e }, "could not tell the user their command was not taken"));
    }
  });
}
