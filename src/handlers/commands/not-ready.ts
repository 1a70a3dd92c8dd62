import type { CommandContext } from "./types.js";

/**
 * The answer of a command word reserved for later (`pr`): a plain statement, never an agent run,
 * so the word is free for the real command.
 */
export function notReady(ctx: Pick<CommandContext, "prefix">, what: string): string {
  return [
    `\`${ctx.prefix} ${what}\` is not available yet.`,
    `\`${ctx.prefix} <what to do>\` starts a run; \`${ctx.prefix} help\` lists what works today.`,
  ].join("\n");
}
