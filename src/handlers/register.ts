import type { App } from "@slack/bolt";
import { registerAgentSessionStopped } from "./agent-session-stopped.js";
import { registerCancelAction } from "./cancel-action.js";
import { createCommandRouter } from "./commands/index.js";
import type { HandlerDeps } from "./deps.js";
import { registerMessageEvents } from "./message-events.js";
import { registerPermissionActions } from "./permission-action.js";
import { registerPullRequestActions } from "./pull-request-actions.js";
import { registerSlashCommand } from "./slash-command.js";

/** Every Slack listener codethread has; `/agent` and mentions share one command router. */
export function registerHandlers(app: App, deps: HandlerDeps): void {
  const router = createCommandRouter();
  registerSlashCommand(app, deps, router);
  registerMessageEvents(app, deps, router);
  registerCancelAction(app, deps);
  registerAgentSessionStopped(app, deps);
  registerPermissionActions(app, deps);
  registerPullRequestActions(app, deps);
}
