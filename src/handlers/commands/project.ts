import { projectsNotReady } from "./not-ready.js";
import type { Command } from "./types.js";

/** Reserved: creating and binding projects (a forge repository + CI + workspace). */
export const projectCommand: Command = {
  name: "project",
  adminOnly: false,
  takesArgs: true,
  usage: "…",
  summary: "projects (a repository, its CI and a workspace) — _not set up yet_.",
  run: (_args, ctx) => ctx.respond(projectsNotReady(ctx, "project")),
};
