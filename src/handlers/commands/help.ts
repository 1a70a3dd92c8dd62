import type { CommandRouter } from "./router.js";
import type { Command, CommandContext } from "./types.js";

/** The help text: how to start and steer runs, then every registered command, then the agents. */
export function helpText(router: CommandRouter, ctx: Pick<CommandContext, "prefix" | "isAdmin" | "deps">): string {
  const agents = ctx.deps.registry.ids();
  const p = ctx.prefix;
  const models = agents.flatMap((id) => {
    const names = ctx.deps.registry.models(id);
    return names ? [`\`${id}\` takes ${names.forms}`] : [];
  });
  return [
    "*Run a coding agent from Slack*",
    `• \`${p} fix the failing test\` — start a run; its card's thread is the session.`,
    `• \`${p} agent=opencode add a README\` — choose the agent (options go before the prompt).`,
    `• \`${p} model=NAME fix the test\` — choose the model for this run${models.length ? ` (${models.join("; ")})` : ""}.`,
    "• `@codethread <prompt>` in a channel or a DM — start a run in that message's thread; inside a discussion, the earlier messages go to the agent as context.",
    "• Reply in a run's thread to continue the same session (a reply during a run waits its turn).",
    "• *Cancel* on the card stops a run (the requester or an admin); *Approve* / *Deny* answer the agent's permission requests.",
    "• A run stopped by its cost budget says so on its card; reply in the thread to continue it.",
    "*Commands*",
    ...router.usageLines(p, ctx.isAdmin),
    `Agents here: ${agents.length ? agents.map((a) => `\`${a}\``).join(", ") : "none registered"}.`,
  ].join("\n");
}

export function helpCommand(router: CommandRouter): Command {
  return {
    name: "help",
    aliases: ["--help"],
    adminOnly: false,
    takesArgs: false,
    usage: "",
    summary: "this help.",
    run: (_args, ctx) => ctx.respond(helpText(router, ctx)),
  };
}
