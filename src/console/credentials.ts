import { randomBytes } from "node:crypto";
import { Secret } from "../secret.js";

/**
 * The credentials the bot and the local console share, made fresh at every start and never
 * printed or stored: a signing secret (the console signs what it delivers, the bot's Bolt app
 * verifies it) and a bot token the console's Web API accepts alone. The token starts with
 * `xoxb-` like a bot token and says plainly that it is a local one; Slack would refuse it.
 */
export interface ConsoleCredentials {
  signingSecret: Secret;
  botToken: Secret;
}

export function generateConsoleCredentials(): ConsoleCredentials {
  return {
    signingSecret: new Secret(randomBytes(32).toString("hex")),
    botToken: new Secret(`xoxb-local-console-${randomBytes(24).toString("hex")}`),
  };
}
