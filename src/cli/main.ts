import { ConfigError } from "../config.js";
import { CodethreadError } from "../errors.js";
import { silentLogger } from "../log.js";
import { doctorCommand, doctorHelp } from "./commands/doctor.js";
import { migrateCommand, migrateHelp } from "./commands/migrate.js";
import { startCommand, startHelp } from "./commands/start.js";
import { ErrUsage } from "./errors.js";
import { type CliIO, processIO, writeLine } from "./io.js";

export const mainHelp = `Usage: codethread <command> [options]

Drive coding agents (Claude Code, OpenCode) from Slack threads.

Commands:
  start     Start the Slack bot and its workers
  migrate   Apply database migrations
  doctor    Check configuration, database, agents and Slack
  run       Run one agent turn in the terminal
  replay    Show what a recorded agent transcript normalizes to

Run \`codethread <command> --help\` for a command's options.
Configuration comes from the environment (and .env); see .env.example.`;

type Command = (argv: string[], io: CliIO) => Promise<number>;

const commands: Record<string, { run: Command; help: string }> = {
  start: {
    help: startHelp,
    run: (argv, io) =>
      startCommand(argv, io, {
        startApp: async (config, log) => (await import("../app.js")).startApp(config, log),
      }),
  },
  migrate: { help: migrateHelp, run: migrateCommand },
  doctor: {
    help: doctorHelp,
    run: (argv, io) =>
      doctorCommand(argv, io, {
        providers: async (config) =>
          (await import("../agents/providers.js")).createProviderRegistry(config, silentLogger),
      }),
  },
  run: {
    help: "Usage: codethread run --provider ID [--cwd DIR] [--resume ID] [--json] PROMPT",
    run: async (argv, io) => (await import("./commands/run.js")).runCommand(argv, io),
  },
  replay: {
    help: "Usage: codethread replay --provider ID FILE [--json]",
    run: async (argv, io) => (await import("./commands/replay.js")).replayCommand(argv, io),
  },
};

/** Explain a failure in one paragraph; stack traces only for bugs, and only with LOG_LEVEL=debug. */
function explain(err: unknown, io: CliIO): number {
  if (err instanceof ErrUsage) {
    writeLine(io.stderr, `${err.message}\n\n${err.help}`);
    return 2;
  }
  if (err instanceof ConfigError) {
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
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      return explain(new ErrUsage(err.message, command?.help ?? mainHelp), io);
    }
    return explain(err, io);
  }
}
