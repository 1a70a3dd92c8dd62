import type { Command } from "./types.js";
import { setVerbosity } from "./verbosity.js";

/** `/agent quiet`: this channel's run cards show status, elapsed and counts only. */
export const quietCommand: Command = {
  name: "quiet",
  adminOnly: false,
  takesArgs: false,
  usage: "",
  summary: "run cards in this channel show status, elapsed time and counts only (errors still show).",
  run: (_args, ctx) => setVerbosity(ctx, "quiet"),
};
