import { notReady } from "./not-ready.js";
import type { Command } from "./types.js";

/** Reserved: pull requests of a project. */
export const prCommand: Command = {
  name: "pr",
  adminOnly: false,
  takesArgs: true,
  usage: "…",
  summary: "a project's pull requests — _not available yet_.",
  run: (_args, ctx) => ctx.respond(notReady(ctx, "pr")),
};
