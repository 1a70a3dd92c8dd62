import { toMrkdwn } from "../../agents/tool-summary.js";
import { messageOf } from "../../errors.js";
import { newBuildCard, renderBuildCard } from "../../slack/build-card.js";
import type { ProjectDirectory } from "../deps.js";
import { failCard, postCard, projectsOf, refusalText } from "./project-replies.js";
import type { Command, CommandContext, ParsedArgs } from "./types.js";

/**
 * `[PROJECT] [BRANCH]`: two words are both; one word is a project when one has that name, else
 * the branch of the channel's project. `project=` and `branch=` options work too.
 */
async function target(
  args: ParsedArgs,
  ctx: CommandContext,
  projects: ProjectDirectory,
): Promise<{ project?: string; branch?: string } | undefined> {
  const [first, second, ...extra] = args.words;
  if (extra.length) return undefined;
  let project = args.options.project;
  let branch = args.options.branch;
  if (second !== undefined) {
    if (project || branch) return undefined;
    return { project: first, branch: second };
  }
  if (first !== undefined) {
    const names = await projects.names();
    const isProject = names.some((n) => n.toLowerCase() === first.toLowerCase());
    const bound = await projects.projectForChannel({ teamId: ctx.teamId, channelId: ctx.channel });
    if (!project && (isProject || !bound)) project = first;
    else if (!branch) branch = first;
    else return undefined;
  }
  return { project, branch };
}

/** `/agent build [PROJECT] [BRANCH]`: a manual pipeline; its result in the card's thread when it ends. */
export const buildCommand: Command = {
  name: "build",
  adminOnly: false,
  takesArgs: true,
  usage: "[PROJECT] [BRANCH]",
  summary:
    "run a project's CI (default: this channel's project, its default branch); the result, with the failing step's log, lands in the card's thread.",
  async run(args, ctx) {
    const projects = await projectsOf(ctx, "build");
    if (!projects) return;
    const wanted = await target(args, ctx, projects);
    if (!wanted) return ctx.respond(`Usage: \`${ctx.prefix} build [PROJECT] [BRANCH]\`.`);
    const channel = { teamId: ctx.teamId, channelId: ctx.channel };
    let name: string;
    let branch: string;
    try {
      const project = await projects.checkBuild({ project: wanted.project, channel });
      name = project.name;
      branch = wanted.branch ?? project.defaultBranch;
    } catch (err) {
      return ctx.respond(await refusalText(err, projects, ctx.prefix));
    }
    await ctx.respond(
      `Building *${toMrkdwn(name)}* on \`${toMrkdwn(branch)}\`: the result will be posted in the card's thread.`,
    );
    if (ctx.delivery && !(await ctx.delivery.claim())) return;
    const state = newBuildCard({ project: name, branch, userId: ctx.user });
    const cardTs = await postCard(ctx, renderBuildCard(state), "the build card");
    if (!cardTs) return;
    try {
      await projects.build({
        project: name,
        branch,
        channel,
        actor: ctx.user,
        origin: { teamId: ctx.teamId, channelId: ctx.channel, threadTs: ctx.threadTs, userId: ctx.user, cardTs },
        dedupeKey: ctx.delivery?.key,
      });
    } catch (err) {
      ctx.deps.log.error({ err: messageOf(err), project: name }, "could not queue the build");
      state.status = "error";
      state.note = `Could not queue the build: ${messageOf(err)}`;
      await failCard(ctx, cardTs, renderBuildCard(state));
    }
  },
};
