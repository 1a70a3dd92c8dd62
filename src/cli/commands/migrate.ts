import { parseArgs } from "node:util";
import { loadConfig, loadDotEnv } from "../../config.js";
import { createLogger } from "../../log.js";
import { migrate } from "../../store/migrate.js";
import { openDatabase } from "../../store/open.js";
import { parseOrUsage } from "../errors.js";
import { type CliIO, writeLine } from "../io.js";

export const migrateHelp = `Usage: codethread migrate

Apply pending database migrations and exit. Uses DATABASE_URL (PostgreSQL) when set, else
the embedded PGlite database in CODETHREAD_DATA_DIR (default ./.codethread). Safe to run
from several replicas at once: migrations run under an advisory lock, all or nothing.`;

export async function migrateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(migrateHelp, () =>
    parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, strict: true }),
  );
  if (values.help) {
    writeLine(io.stdout, migrateHelp);
    return 0;
  }
  loadDotEnv(`${io.cwd}/.env`);
  const config = loadConfig(io.env, io.cwd);
  const log = createLogger({ level: "warn", format: config.log.format });
  const db = await openDatabase(config, log, { migrate: false });
  try {
    const applied = await migrate(db);
    writeLine(
      io.stdout,
      applied.length
        ? `Applied ${applied.length} migration(s) to ${db.describe()}: ${applied.join(", ")}`
        : `${db.describe()} is up to date.`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
