import { requestPullRequest } from "../pull-request-request.js";
import type { Command } from "./types.js";

/** `/agent pr` / `@codethread pr` in a thread: what the **Open pull request** button does. */
export const prCommand: Command = {
  name: "pr",
  adminOnly: false,
  takesArgs: false,
  usage: "",
  summary:
    "in a thread of a project's channel: commit, push and open (or update) the thread's pull request; the CI verdict comes back to the thread.",
  async run(_args, ctx) {
    if (!ctx.threadTs) {
      return ctx.respond(
        `Use it in a run's thread: \`@codethread pr\` there, or the run's *Open pull request* button (a slash command does not say which thread it was typed in).`,
      );
    }
    if (ctx.delivery && !(await ctx.delivery.claim())) return;
    const text = await requestPullRequest(ctx.deps, {
      teamId: ctx.teamId,
      channelId: ctx.channel,
      threadTs: ctx.threadTs,
      userId: ctx.user,
      source: "command",
      dedupeKey: ctx.delivery?.key,
    });
    await ctx.respond(text);
  },
};
