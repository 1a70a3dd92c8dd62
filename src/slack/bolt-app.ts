import { App, webApi } from "@slack/bolt";
import { CodethreadError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../ops/metrics.js";
import { type OpsRoute, serveOpsRoutes } from "../ops/routes.js";
import type { Secret } from "../secret.js";
import type { AckFirst } from "./ack-first.js";
import { boltLogger } from "./bolt-logger.js";
import { FrontReceiver } from "./front/front-receiver.js";

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
  /**
   * Operational routes (/healthz, /readyz, /metrics): in HTTP mode the Slack front passes them to a
   * small server of their own on 127.0.0.1; in Socket Mode that server listens on `port`.
   */
  routes?: OpsRoute[];
  /** HTTP mode: counts the requests not yet acknowledged, so handlers answer a burst before working on it. */
  ackFirst?: AckFirst;
  /** HTTP mode: Slack's answer times (codethread_slack_answer_seconds). */
  metrics?: Pick<Metrics, "slackAnswered">;
  /** HTTP mode: how long Slack's request waits for the bot's ack before the front answers (FrontAckDeadlineMs). */
  ackDeadlineMs?: number;
}

export interface RunningBoltApp {
  app: App;
  mode: "http" | "socket";
  /** HTTP mode: where it listens (the actual port when 0 was asked for). */
  url?: string;
  stop(): Promise<void>;
}

/** Slack's answers that mean "this token is not accepted". */
const AuthErrors = new Set([
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "token_expired",
  "account_inactive",
  "not_allowed_token_type",
]);

const hints: Record<"SLACK_BOT_TOKEN" | "SLACK_APP_TOKEN", string> = {
  SLACK_BOT_TOKEN: "use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, after installing the app",
  SLACK_APP_TOKEN:
    "use an app-level token (xapp-…) with the connections:write scope, from Basic Information → App-Level Tokens",
};

/** Slack refused one of our tokens at start. */
export class ErrSlackAuth extends CodethreadError {
  constructor(variable: "SLACK_BOT_TOKEN" | "SLACK_APP_TOKEN", slackError: string) {
    super("slack_auth", `Slack refused ${variable} (${slackError}): ${hints[variable]}.`, { variable, slackError });
  }
}

/** Events, commands and interactivity: one endpoint. */
const SlackEndpoint = "/slack/events";

/** The Slack error code of a Web API failure, if it is one. */
function slackErrorOf(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

/**
 * Check the bot token before Bolt sees it: Bolt verifies it in its constructor and would leave a
 * rejected promise behind, then listen anyway. Slack unreachable: go on (Bolt retries).
 */
async function checkBotToken(o: BoltAppOptions, clientOptions: { slackApiUrl?: string }): Promise<void> {
  const client = new webApi.WebClient(o.botToken.reveal(), {
    ...clientOptions,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: boltLogger(o.log),
  });
  const code = slackErrorOf(await client.auth.test().catch((err: unknown) => err));
  if (code && AuthErrors.has(code)) throw new ErrSlackAuth("SLACK_BOT_TOKEN", code);
}

/** Start Bolt in Socket Mode; the bot token was checked, so a refused token is the app token. */
async function startSocketMode(app: App): Promise<void> {
  try {
    await app.start();
  } catch (err) {
    const code = slackErrorOf(err);
    if (code && AuthErrors.has(code)) throw new ErrSlackAuth("SLACK_APP_TOKEN", code);
    throw err;
  }
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
 * with signature verification; the listener is the Slack front's worker thread, src/slack/front/)
 * or in Socket Mode when an app token is given.
 */
export async function startBoltApp(o: BoltAppOptions): Promise<RunningBoltApp> {
  const logger = boltLogger(o.log);
  const clientOptions = o.apiUrl ? { slackApiUrl: o.apiUrl.endsWith("/") ? o.apiUrl : `${o.apiUrl}/` } : {};
  await checkBotToken(o, clientOptions);
  const common = { token: o.botToken.reveal(), logger, clientOptions, ignoreSelf: true };
  let app: App;
  let receiver: FrontReceiver | undefined;
  if (o.appToken) {
    app = new App({ ...common, socketMode: true, appToken: o.appToken.reveal() });
  } else if (o.signingSecret) {
    receiver = new FrontReceiver({
      signingSecret: o.signingSecret,
      host: o.host,
      port: o.port,
      endpoint: SlackEndpoint,
      log: o.log,
      routes: o.routes,
      ackFirst: o.ackFirst,
      ackDeadlineMs: o.ackDeadlineMs,
      metrics: o.metrics,
    });
    app = new App({ ...common, receiver });
  } else {
    throw new ErrSlackNotConfigured();
  }
  app.error(async (err) => {
    o.log.error({ err: { message: err.message, code: err.code } }, "Slack listener failed");
  });
  o.register(app);

  if (o.appToken) {
    await startSocketMode(app);
    o.log.info({ mode: "socket" }, "Slack app connected (Socket Mode)");
    const ops = o.routes?.length ? await serveOpsRoutes(o.routes, o.port, o.host) : undefined;
    if (ops) o.log.info({ url: ops.url }, "health and metrics listening");
    return {
      app,
      mode: "socket",
      stop: async () => {
        await ops?.close();
        await app.stop();
      },
    };
  }
  const { port } = await receiver!.start();
  const url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}${SlackEndpoint}`;
  o.log.info({ mode: "http", url }, "Slack app listening");
  return { app, mode: "http", url, stop: () => receiver!.stop() };
}
