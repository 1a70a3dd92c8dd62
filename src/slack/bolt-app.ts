import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App } from "@slack/bolt";
import { CodethreadError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Secret } from "../secret.js";
import { boltLogger } from "./bolt-logger.js";

export interface BoltAppOptions {
  botToken: Secret;
  /** HTTP mode: requests to /slack/events are verified with it. */
  signingSecret?: Secret;
  /** Socket Mode when set (an xapp- token with connections:write). */
  appToken?: Secret;
  /** Web API base URL (SLACK_API_URL); also used by Socket Mode's apps.connections.open. */
  apiUrl?: string;
  port: number;
  host: string;
  log: Logger;
  /** Register the listeners. */
  register: (app: App) => void;
}

export interface RunningBoltApp {
  app: App;
  mode: "http" | "socket";
  /** HTTP mode: where it listens (the actual port when 0 was asked for). */
  url?: string;
  stop(): Promise<void>;
}

export class ErrSlackNotConfigured extends CodethreadError {
  constructor() {
    super(
      "slack_not_configured",
      "Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) besides SLACK_BOT_TOKEN.",
    );
  }
}

/**
 * The Bolt app in HTTP mode (one endpoint, /slack/events, for events, commands and interactivity,
 * with signature verification) or in Socket Mode when an app token is given.
 */
export async function startBoltApp(o: BoltAppOptions): Promise<RunningBoltApp> {
  const logger = boltLogger(o.log);
  const clientOptions = o.apiUrl ? { slackApiUrl: o.apiUrl.endsWith("/") ? o.apiUrl : `${o.apiUrl}/` } : {};
  const common = { token: o.botToken.reveal(), logger, clientOptions, ignoreSelf: true };
  let app: App;
  if (o.appToken) {
    app = new App({ ...common, socketMode: true, appToken: o.appToken.reveal() });
  } else if (o.signingSecret) {
    app = new App({ ...common, signingSecret: o.signingSecret.reveal(), endpoints: "/slack/events" });
  } else {
    throw new ErrSlackNotConfigured();
  }
  app.error(async (err) => {
    o.log.error({ err: { message: err.message, code: err.code } }, "Slack listener failed");
  });
  o.register(app);

  if (o.appToken) {
    await app.start();
    o.log.info({ mode: "socket" }, "Slack app connected (Socket Mode)");
    return { app, mode: "socket", stop: () => app.stop().then(() => undefined) };
  }
  const server = (await app.start({ port: o.port, host: o.host })) as Server;
  const address = server.address() as AddressInfo;
  const url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${address.port}/slack/events`;
  o.log.info({ mode: "http", url }, "Slack app listening");
  return { app, mode: "http", url, stop: () => app.stop().then(() => undefined) };
}
