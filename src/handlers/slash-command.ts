import type { App, RespondFn } from "@slack/bolt";
import { recordAudit } from "../store/audit.js";
import { mayRun } from "./authorize.js";
import { parseAgentCommand } from "./command-text.js";
import { Claims, slashKey } from "./dedupe.js";
import type { HandlerDeps } from "./deps.js";
import { helpText } from "./help.js";
import { issuesOf, SlashCommandPayload } from "./schemas.js";
import { notTakenMessage, startRun } from "./start-run.js";
import { statusText } from "./status.js";

export const AgentCommandName = "/agent";

async function ephemeral(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: "ephemeral", text });
}

/**
 * `/agent …`: help and invalid input are answered in the ack itself; everything that needs the
 * database or Slack happens after the ack (status, posting the card, queueing).
 */
export function registerSlashCommand(app: App, deps: HandlerDeps): void {
  app.command(AgentCommandName, async ({ command, ack, respond }) => {
    const parsed = SlashCommandPayload.safeParse(command);
    if (!parsed.success) {
      deps.log.warn({ issues: issuesOf(parsed.error) }, "unexpected slash command payload");
      await ack({ response_type: "ephemeral", text: "Sorry, Slack sent a command I could not read." });
      return;
    }
    const c = parsed.data;
    const cmd = parseAgentCommand(c.text);
    if (cmd.kind === "help")
      return void (await ack({ response_type: "ephemeral", text: helpText(deps.registry.ids()) }));
    if (cmd.kind === "invalid") return void (await ack({ response_type: "ephemeral", text: cmd.message }));
    if (cmd.kind === "status") {
      await ack();
      await ephemeral(respond, await statusText(deps));
      return;
    }
    const access = mayRun(deps.access, c.user_id, c.channel_id);
    if (!access.ok) {
      await ack({ response_type: "ephemeral", text: access.message });
      await recordAudit(deps.db, {
        actor: c.user_id,
        action: "access.denied",
        detail: { what: "run", channel: c.channel_id, reason: access.reason },
      });
      return;
    }
    if (!cmd.prompt.trim()) {
      return void (await ack({
        response_type: "ephemeral",
        text: "Tell the agent what to do, e.g. `/agent fix the failing test`. `/agent help` lists the options.",
      }));
    }
    await ack();

    const claims = new Claims(deps.db);
    try {
      if (c.trigger_id && !(await claims.claim(slashKey({ teamId: c.team_id, triggerId: c.trigger_id })))) return;
      const result = await startRun(deps, {
        teamId: c.team_id,
        channelId: c.channel_id,
        userId: c.user_id,
        prompt: cmd.prompt,
        agent: cmd.agent,
        project: cmd.project,
        source: "slash",
        responseUrl: c.response_url,
        dedupeKey: c.trigger_id
          ? slashKey({ teamId: c.team_id, triggerId: c.trigger_id })
          : `slash:${Date.now()}:${Math.random()}`,
      });
      if (!result.ok) await ephemeral(respond, result.message);
    } catch (err) {
      await claims.release();
      deps.log.error({ err }, "slash command failed");
      await ephemeral(respond, notTakenMessage(err)).catch((e: unknown) =>
        deps.log.error({ err: e }, "could not tell the user their command was not taken"),
      );
    }
  });
}
