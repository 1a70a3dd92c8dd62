import { existsSync } from "node:fs";
import { CodethreadError, hasCode } from "../errors.js";
import { ErrUsage } from "./errors.js";
import { type CliIO, processIO, writeLine } from "./io.js";
import { startWithDatabase } from "./start-with-database.js";

// Each command's module is imported only when that command runs: `--help` and `run` must not pay
// for Bolt, pg, PGlite or a provider they do not use (docs/BENCHMARKS.md, "CLI start-up").

export const mainHelp = `Usage: codethread <command> [options]

Drive coding agents (Claude Code, OpenCode) from Slack threads.

Commands:
  start     Start the Slack bot and its workers (a local Slack console without SLACK_BOT_TOKEN)
  migrate   Apply database migrations
  doctor    Check configuration, database, agents and Slack
  run       Run one agent turn in the terminal
  replay    Show what a recorded agent transcript normalizes to
  secrets   Store, list, delete and rotate encrypted credentials
  project   Create and list projects (repository, CI, first build)
  audit     List who asked what, tools, approvals, cancels and costs (--json: JSON lines)

Run \`codethread <command> --help\` for a command's options.
Configuration comes from the environment (and .env); see .env.example.`;

type Command = (argv: string[], io: CliIO) => Promise<number>;

/** The bundled `run` command when the build made it (scripts/build.mjs), else its module in dist/ (or src/). */
async function importRunCommand(): Promise<typeof import("./commands/run.js")> {
  const bundle = new URL("../bundle/run.js", import.meta.url);
  if (existsSync(bundle)) return (await import(bundle.href)) as typeof import("./commands/run.js");
  return import("./commands/run.js");
}

const commands: Record<string, Command> = {
  start: async (argv, io) =>
    (await import("./commands/start.js")).startCommand(argv, io, {
      startApp: (config, log) =>
        startWithDatabase(
          config,
          log,
          () => import("../app.js"),
          (m, db) => m.startApp(config, log, { db }),
        ),
      startConsole: (config, log) =>
        startWithDatabase(
          config,
          log,
          () => import("../console/embedded.js"),
          (m, db) => m.startWithConsole(config, log, { db }),
        ),
    }),
  migrate: async (argv, io) => (await import("./commands/migrate.js")).migrateCommand(argv, io),
  doctor: async (argv, io) =>
    (await import("./commands/doctor.js")).doctorCommand(argv, io, {
      providers: async (config) => {
        const [{ createProviderRegistry }, { silentLogger }] = await Promise.all([
          import("../agents/providers.js"),
          import("../log.js"),
        ]);
        return createProviderRegistry(config, silentLogger);
      },
    }),
  run: async (argv, io) => (await importRunCommand()).runCommand(argv, io),
  replay: async (argv, io) => (await import("./commands/replay.js")).replayCommand(argv, io),
  secrets: async (argv, io) => (await import("./commands/secrets.js")).secretsCommand(argv, io),
  project: async (argv, io) => (await import("./commands/project.js")).projectCommand(argv, io),
  audit: async (argv, io) => (await import("./commands/audit.js")).auditCommand(argv, io),
};

/** Explain a failure in one paragraph; stack traces only for bugs, and only with LOG_LEVEL=debug. */
function explain(err: unknown, io: CliIO): number {
  if (err instanceof ErrUsage) {
    writeLine(io.stderr, `${err.message}\n\n${err.help}`);
    return 2;
  }
  if (hasCode(err, "config_invalid")) {
    writeLine(
      io.stderr,
      `${err.message}\nTo create the Slack app and get its tokens, see manifest.yml and the README ("Create the Slack app").`,
    );
    return 1;
  }
  if (err instanceof CodethreadError) {
    writeLine(io.stderr, err.message);
    return 1;
  }
  const debug = io.env.LOG_LEVEL === "debug" || io.env.LOG_LEVEL === "trace";
  writeLine(
    io.stderr,
    `Unexpected error: ${err instanceof Error ? err.message : String(err)}` +
      (debug && err instanceof Error ? `\n${err.stack}` : "\nRun again with LOG_LEVEL=debug for details."),
  );
  return 1;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    writeLine(io.stdout, mainHelp);
    return name ? 0 : 2;
  }
  const command = commands[name];
  try {
    if (!command) throw new ErrUsage(`Unknown command "${name}".`, mainHelp);
    return await command(rest, io);
  } catch (err) {
    return explain(err, io);
  }
}
