import { toMrkdwn } from "../../agents/tool-summary.js";
import { messageOf } from "../../errors.js";
import { newProvisionCard, renderProvisionCard } from "../../slack/provision-card.js";
import { parseFlags } from "./args.js";
import { failCard, postCard, projectsOf, refusalText } from "./project-replies.js";
import type { Command } from "./types.js";

const Usage = "NAME [--template node|go|…] [--private] [--org ORG]";

/**
 * `/agent project new NAME …` (admins): checks what needs no server (name, template) and answers
 * at once, posts the provisioning card, and queues a `provision` job that ticks the card's steps.
 * Running it again for the same name finishes what a failed step left and duplicates nothing.
 */
export const projectNewCommand: Command = {
  name: "project new",
  adminOnly: true,
  takesArgs: true,
  usage: Usage,
  summary:
    "create a project: a repository from the template, its CI activated, secrets set, a first build — a card ticks each step. Run it again after a failed step to finish.",
  async run(args, ctx) {
    const projects = await projectsOf(ctx, "project new");
    if (!projects) return;
    const flags = parseFlags(args.words, { template: "string", private: "boolean", org: "string" });
    const usage = `Usage: \`${ctx.prefix} project new ${Usage}\` — templates: ${projects.templates().join(", ")}.`;
    if (!flags.ok) return ctx.respond(`${flags.message} ${usage}`);
    const [name, ...extra] = flags.positionals;
    if (!name || extra.length) return ctx.respond(usage);
    const template = (flags.values.template ?? args.options.template ?? "node").toLowerCase();
    const org = flags.values.org ?? args.options.org;
    try {
      projects.checkNewProject({ name, template });
    } catch (err) {
      return ctx.respond(await refusalText(err, projects, ctx.prefix));
    }
    // The answer at once (in a slash command's ack); the card follows.
    await ctx.respond(
      `Setting up project *${toMrkdwn(name)}* from the \`${toMrkdwn(template)}\` template${org ? ` in \`${toMrkdwn(org)}\`` : ""}: the card here ticks each step.`,
    );
    if (ctx.delivery && !(await ctx.delivery.claim())) return;
    const state = newProvisionCard({ project: name, template, userId: ctx.user, prefix: ctx.prefix });
    const cardTs = await postCard(ctx, renderProvisionCard(state), "the provisioning card");
    if (!cardTs) return;
    try {
      await projects.newProject({
        name,
        template,
        description: "",
        private: flags.values.private ?? false,
        org,
        actor: ctx.user,
        origin: { teamId: ctx.teamId, channelId: ctx.channel, threadTs: ctx.threadTs, userId: ctx.user, cardTs },
        dedupeKey: ctx.delivery?.key,
      });
    } catch (err) {
      ctx.deps.log.error({ err: messageOf(err), project: name }, "could not queue the provisioning");
      state.status = "failed";
      state.note = `Could not queue the provisioning: ${messageOf(err)}. Try again in a minute.`;
      await failCard(ctx, cardTs, renderProvisionCard(state));
    }
  },
};
