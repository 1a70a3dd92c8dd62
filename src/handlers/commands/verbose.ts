import type { Command } from "./types.js";
import { setVerbosity } from "./verbosity.js";

/** `/agent verbose`: this channel's run cards show each tool summary (the default). */
export const verboseCommand: Command = {
  name: "verbose",
  adminOnly: false,
  takesArgs: false,
  usage: "",
  summary: "run cards in this channel show each tool the agent uses (the default).",
  run: (_args, ctx) => setVerbosity(ctx, "verbose"),
};
