import { parseArgs } from "node:util";
import { type Config, loadConfig, loadDotEnv, requireSlack } from "../../config.js";
import { createLogger, type Logger } from "../../log.js";
import { parseOrUsage } from "../errors.js";
import { type CliIO, writeLine } from "../io.js";

export const startHelp = `Usage: codethread start

Start the Slack bot: HTTP mode on PORT (/slack/events) with SLACK_SIGNING_SECRET, or Socket
Mode when SLACK_APP_TOKEN is set. Also runs the workers that execute agent runs.
Without SLACK_BOT_TOKEN it starts a local Slack console instead, at http://127.0.0.1:PORT:
a Slack-like page where the bot works as it does in Slack, with no Slack account.
Database: DATABASE_URL (PostgreSQL), else embedded PGlite in CODETHREAD_DATA_DIR.
Stops cleanly on SIGTERM/SIGINT: /readyz fails at once and no new job is claimed (queued work stays
for the other replicas); Slack requests are still taken for CODETHREAD_DRAIN_DELAY (default 0);
running jobs get CODETHREAD_STOP_GRACE (default 30s) from the signal, then the rest are interrupted
and their threads told; exits 0. A second signal exits at once.`;

export interface StartDeps {
  startApp: (config: Config, log: Logger) => Promise<{ stop(): Promise<void> }>;
  /** The bot with the local console (no SLACK_BOT_TOKEN); resolves with the page's address. */
  startConsole: (config: Config, log: Logger) => Promise<{ url: string; stop(): Promise<void> }>;
}

/** What `start` prints when it opens the local console. */
export function consoleBanner(url: string): string {
  return [
    "",
    "codethread is running with a local Slack console (SLACK_BOT_TOKEN is not set):",
    "",
    `  ${url}`,
    "",
    "Open it in a browser and type `/agent fix the build` or `@codethread …` in #general.",
    "It is a stand-in for Slack on this machine only. To connect a real workspace, create the",
    'app from manifest.yml, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README, "Create the',
    'Slack app") and start again.',
    "",
  ].join("\n");
}

/** Slack variables that mean someone meant to connect Slack but left out the bot token. */
function partialSlack(config: Config): string[] {
  const set: string[] = [];
  if (config.slack.signingSecret) set.push("SLACK_SIGNING_SECRET");
  if (config.slack.appToken) set.push("SLACK_APP_TOKEN");
  if (config.slack.apiUrl) set.push("SLACK_API_URL");
  return set;
}

/** Resolves when the bot has stopped (after a signal). */
export async function startCommand(argv: string[], io: CliIO, deps: StartDeps): Promise<number> {
  const { values } = parseOrUsage(startHelp, () =>
    parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, strict: true }),
  );
  if (values.help) {
    writeLine(io.stdout, startHelp);
    return 0;
  }
  loadDotEnv(`${io.cwd}/.env`);
  const config = loadConfig(io.env, io.cwd);
  const log = createLogger({ level: config.log.level, format: config.log.format });
  // Listened for from the start: a signal while the app starts (a deploy rolling on) stops it once started,
  // rather than killing it half-started. After the first, a second signal exits at once (default action).
  let onSignal!: (signal: NodeJS.Signals) => void;
  const unlisten = () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
  const firstSignal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      unlisten();
      resolve(signal);
    };
  });
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  let app: { stop(): Promise<void> };
  try {
    if (config.slack.botToken) {
      requireSlack(config);
      app = await deps.startApp(config, log);
    } else {
      const ignored = partialSlack(config);
      if (ignored.length) {
        log.warn(
          { ignored },
          "SLACK_BOT_TOKEN is not set: starting the local console; these Slack variables are unused",
        );
      }
      const local = await deps.startConsole(config, log);
      writeLine(io.stdout, consoleBanner(local.url));
      app = local;
    }
  } catch (err) {
    unlisten();
    throw err;
  }
  const signal = await firstSignal;
  log.info({ signal }, "stopping (a second signal exits at once)");
  await app.stop().catch((err: unknown) => log.error({ err }, "error while stopping"));
  // Everything of ours is closed; a library timer may still hold the event loop (Bolt's client retries
  // its start-up auth.test for minutes while Slack is unreachable). Exit anyway, soon: a pod must not
  // wait for SIGKILL. The timer is unref'd, so a process that ends by itself ends at once.
  setTimeout(() => process.exit(0), ExitAfterStopMs).unref();
  return 0;
}

/** After a stop, how long the process may linger for others' handles before it exits anyway. */
export const ExitAfterStopMs = 1_000;
