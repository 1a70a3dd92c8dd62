import type { CommandContext } from "./types.js";

/**
 * The answer of commands reserved for projects (`project`, `build`, `pr`) until projects exist:
 * a plain statement, never an agent run, so the words are free for the real commands later.
 */
export function projectsNotReady(ctx: Pick<CommandContext, "prefix">, what: string): string {
  return [
    `Projects are not set up yet, so \`${ctx.prefix} ${what}\` has nothing to work on.`,
    `Runs use the bot's default workspace for now: \`${ctx.prefix} <what to do>\` starts one. \`${ctx.prefix} help\` lists what works today.`,
  ].join("\n");
}
