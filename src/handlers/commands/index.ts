import { auditCommand } from "./audit.js";
import { buildCommand } from "./build.js";
import { helpCommand } from "./help.js";
import { prCommand } from "./pr.js";
import { projectCommand } from "./project.js";
import { projectListCommand } from "./project-list.js";
import { projectNewCommand } from "./project-new.js";
import { projectUseCommand } from "./project-use.js";
import { quietCommand } from "./quiet.js";
import { CommandRouter } from "./router.js";
import { statusCommand } from "./status.js";
import { verboseCommand } from "./verbose.js";

export type { Dispatch } from "./router.js";
export { CommandRouter } from "./router.js";
export type { Command, CommandContext, ParsedArgs } from "./types.js";

/**
 * Every `/agent` and `@codethread` command, in the order help lists them. A new command is one
 * file in this folder plus one line here.
 */
export function createCommandRouter(): CommandRouter {
  const router = new CommandRouter();
  return router
    .register(statusCommand)
    .register(projectNewCommand)
    .register(projectListCommand)
    .register(projectUseCommand)
    .register(quietCommand)
    .register(verboseCommand)
    .register(auditCommand)
    .register(projectCommand)
    .register(buildCommand)
    .register(prCommand)
    .register(helpCommand(router));
}
