import type { App } from "@slack/bolt";
import { registerCancelAction } from "./cancel-action.js";
import type { HandlerDeps } from "./deps.js";
import { registerMessageEvents } from "./message-events.js";
import { registerPermissionActions } from "./permission-action.js";
import { registerSlashCommand } from "./slash-command.js";

/** Every Slack listener codethread has. */
export function registerHandlers(app: App, deps: HandlerDeps): void {
  registerSlashCommand(app, deps);
  registerMessageEvents(app, deps);
  registerCancelAction(app, deps);
  registerPermissionActions(app, deps);
}
