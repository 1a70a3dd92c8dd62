import { type AppOverrides, type RunningApp, startApp } from "../app.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import { openDatabase } from "../store/open.js";
import { type ConsoleOptions, type LocalConsole, startConsole } from "./console.js";

/**
 * `codethread start` without SLACK_BOT_TOKEN: the whole bot, talking to the local console instead
 * of Slack. The console listens on PORT at 127.0.0.1; the bot's own Bolt receiver on a free port
 * of 127.0.0.1; the bot gets the console's Web API as SLACK_API_URL and the console's generated
 * signing secret and token. Nothing else differs: the handlers, queue, worker and publisher are
 * the ones that run against Slack.
 */
export interface EmbeddedConsole {
  /** The console page. */
  url: string;
  console: LocalConsole;
  app: RunningApp;
  stop(): Promise<void>;
}

/** The configuration the bot runs with against the console. */
export function consoleConfig(config: Config, local: Pick<LocalConsole, "apiUrl" | "credentials">): Config {
  return {
    ...config,
    slack: {
      ...config.slack,
      botToken: local.credentials.botToken,
      signingSecret: local.credentials.signingSecret,
      appToken: undefined,
      apiUrl: local.apiUrl,
      port: 0,
      host: "127.0.0.1",
    },
  };
}

export async function startWithConsole(
  config: Config,
  log: Logger,
  overrides: AppOverrides = {},
  options: Partial<Omit<ConsoleOptions, "db" | "log">> = {},
): Promise<EmbeddedConsole> {
  const db = overrides.db ?? (await openDatabase(config, log));
  let local: LocalConsole | undefined;
  try {
    local = await startConsole({ port: config.slack.port, ...options, db, log: log.child({ component: "console" }) });
    const app = await startApp(consoleConfig(config, local), log, { ...overrides, db, slackApiUrl: local.apiUrl });
    local.connect(app.url!);
    const running = local;
    let stopping: Promise<void> | undefined;
    return {
      url: local.url,
      console: local,
      app,
      stop: () => {
        stopping ??= (async () => {
          await app.stop();
          await running.stop();
          if (!overrides.db) await db.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await local?.stop().catch(() => undefined);
    if (!overrides.db) await db.close().catch(() => undefined);
    throw err;
  }
}
