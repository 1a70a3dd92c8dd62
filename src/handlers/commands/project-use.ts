import { toMrkdwn } from "../../agents/tool-summary.js";
import { isDirectMessage } from "../authorize.js";
import { projectsOf, refusalText } from "./project-replies.js";
import type { Command } from "./types.js";

/** `/agent project use NAME`: bind the conversation to a project; later runs here work in it. */
export const projectUseCommand: Command = {
  name: "project use",
  adminOnly: false,
  takesArgs: true,
  usage: "NAME",
  summary: "bind this channel to a project: runs started here work in its repository, `build` builds it.",
  async run(args, ctx) {
    const projects = await projectsOf(ctx, "project use");
    if (!projects) return;
    const [name, ...extra] = args.words;
    if (!name || extra.length)
      return ctx.respond(`Usage: \`${ctx.prefix} project use NAME\` (see \`${ctx.prefix} project list\`).`);
    await ctx.ack();
    let project: Awaited<ReturnType<typeof projects.use>>;
    try {
      project = await projects.use({ teamId: ctx.teamId, channelId: ctx.channel }, name, ctx.user);
    } catch (err) {
      return ctx.respond(await refusalText(err, projects, ctx.prefix));
    }
    const here = isDirectMessage(ctx.channel) ? "This conversation" : `<#${ctx.channel}>`;
    const where = project.location === "local" ? "its local repository" : "its repository";
    await ctx.respond(
      `${here} now works on project *${toMrkdwn(project.name)}*: each new thread here works on its own branch of ${where}${project.ciRepoId !== null ? `, and \`${ctx.prefix} build\` builds it` : ""}. Threads already running keep their directory.`,
    );
  },
};
