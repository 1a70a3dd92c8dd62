import { recordAudit } from "../../store/audit.js";
import { setChannelVerbosity, type Verbosity } from "../../store/channel-settings.js";
import { isDirectMessage } from "../authorize.js";
import type { CommandContext } from "./types.js";

const said: Record<Verbosity, string> = {
  quiet: "run cards here now show their status, elapsed time and counts only (failures still show).",
  verbose: "run cards here now show each tool the agent uses, as it uses it.",
};

/** `/agent quiet` and `/agent verbose`: the channel's run cards from the next run on, recorded in the audit. */
export async function setVerbosity(ctx: CommandContext, verbosity: Verbosity): Promise<void> {
  await ctx.ack();
  const ref = { teamId: ctx.teamId, channelId: ctx.channel };
  await setChannelVerbosity(ctx.deps.db, ref, verbosity, ctx.user);
  await recordAudit(ctx.deps.db, {
    actor: ctx.user,
    action: "channel.settings",
    detail: { channel: ctx.channel, verbosity },
  });
  const where = isDirectMessage(ctx.channel) ? "In this DM" : `In <#${ctx.channel}>`;
  const other = verbosity === "quiet" ? "verbose" : "quiet";
  await ctx.respond(
    `${where}, ${said[verbosity]} Runs already going keep their cards as they are. \`${ctx.prefix} ${other}\` switches back.`,
  );
}
