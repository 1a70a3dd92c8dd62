import { projectsNotReady } from "./not-ready.js";
import type { Command } from "./types.js";

/** Reserved: a project's CI builds. */
export const buildCommand: Command = {
  name: "build",
  adminOnly: false,
  takesArgs: true,
  usage: "…",
  summary: "a project's CI builds — _not set up yet_.",
  run: (_args, ctx) => ctx.respond(projectsNotReady(ctx, "build")),
};
