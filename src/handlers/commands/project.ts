import type { Command } from "./types.js";

/**
 * The `project` word alone, or with a subcommand that is not one: the subcommands' usage (they
 * are registered as `project new`, `project list`, `project use`), never an agent run.
 */
export const projectCommand: Command = {
  name: "project",
  hidden: true,
  adminOnly: false,
  takesArgs: true,
  usage: "new|list|use …",
  summary: "projects (a repository, its CI and a workspace).",
  async run(args, ctx) {
    const p = ctx.prefix;
    const asked = args.words[0] ? `There is no \`${p} project ${args.words[0]}\`. ` : "";
    await ctx.respond(
      [
        `${asked}Projects:`,
        `• \`${p} project new NAME [--template node|go|…] [--private] [--org ORG]\` — create one _(admins)_`,
        `• \`${p} project list\` — every project, its CI status and channels`,
        `• \`${p} project use NAME\` — bind this channel to a project`,
        `• \`${p} build [PROJECT] [BRANCH]\` — run its CI`,
      ].join("\n"),
    );
  },
};
