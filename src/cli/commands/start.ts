import { parseArgs } from "node:util";
import { type Config, loadConfig, loadDotEnv, requireSlack } from "../../config.js";
import { createLogger, type Logger } from "../../log.js";
import { parseOrUsage } from "../errors.js";
import { type CliIO, writeLine } from "../io.js";

export const startHelp = `Usage: codethread start

Start the Slack bot: HTTP mode on PORT (/slack/events) with SLACK_SIGNING_SECRET, or Socket
Mode when SLACK_APP_TOKEN is set. Also runs the workers that execute agent runs.
Database: DATABASE_URL (PostgreSQL), else embedded PGlite in CODETHREAD_DATA_DIR.
Stops cleanly on SIGTERM/SIGINT: stops taking work, lets runs finish, then cancels the rest.`;

export interface StartDeps {
  startApp: (config: Config, log: Logger) => Promise<{ stop(): Promise<void> }>;
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
  requireSlack(config);
  const log = createLogger({ level: config.log.level, format: config.log.format });
  const app = await deps.startApp(config, log);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info({ signal }, "stopping");
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      app.stop().then(resolve, (err: unknown) => {
        log.error({ err }, "error while stopping");
        resolve();
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  return 0;
}
