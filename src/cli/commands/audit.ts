import { parseArgs } from "node:util";
import { auditChannel, auditJson, describeAudit, PlainAuditStyle } from "../../audit/describe.js";
import { loadConfig, loadDotEnv } from "../../config.js";
import { createLogger } from "../../log.js";
import { listAudit } from "../../store/audit.js";
import { openDatabase } from "../../store/open.js";
import { terminalSafe } from "../../text.js";
import { ErrUsage, parseOrUsage } from "../errors.js";
import { type CliIO, writeLine } from "../io.js";

/** Records `codethread audit` prints without --limit, and the most one call reads. */
export const DefaultCliAuditLimit = 100;
export const MaxCliAuditLimit = 100_000;

export const auditHelp = `Usage: codethread audit [--user U123] [--channel C123] [--limit N] [--json]

List the audit log, newest first: who asked what and where, which tools ran (summaries, not
their output), approvals and denials with who gave them, cancels with who cancelled, how runs
ended and what they cost, and whatever else is recorded (the vocabulary is open).
  --user U      records by this Slack user, or about their runs
  --channel C   records of this channel (its threads, or naming it)
  --limit N     at most N records (default ${DefaultCliAuditLimit}, at most ${MaxCliAuditLimit})
  --json        one JSON object per line (an export): id, at, actor, action, channel, threadKey, detail
Reads DATABASE_URL, else the embedded database in CODETHREAD_DATA_DIR (which a running bot holds:
stop it, or use PostgreSQL).`;

/** `codethread audit`: the audit log, as lines for people or JSON lines for tools. */
export async function auditCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseOrUsage(auditHelp, () =>
    parseArgs({
      args: argv,
      options: {
        user: { type: "string" },
        channel: { type: "string" },
        limit: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }),
  );
  if (values.help) {
    writeLine(io.stdout, auditHelp);
    return 0;
  }
  const limit = values.limit === undefined ? DefaultCliAuditLimit : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MaxCliAuditLimit) {
    throw new ErrUsage(
      `--limit must be a whole number from 1 to ${MaxCliAuditLimit} (got "${values.limit}").`,
      auditHelp,
    );
  }
  loadDotEnv(`${io.cwd}/.env`);
  const config = loadConfig(io.env, io.cwd);
  const log = createLogger({ level: "warn", format: config.log.format });
  const db = await openDatabase(config, log);
  try {
    const records = await listAudit(db, { user: values.user, channel: values.channel, limit });
    for (const r of records) {
      if (values.json) writeLine(io.stdout, auditJson(r));
      else {
        const channel = auditChannel(r);
        const where = channel ? `#${channel}` : "-";
        writeLine(io.stdout, terminalSafe(`${r.at.toISOString()}  ${where}  ${describeAudit(r, PlainAuditStyle)}`));
      }
    }
    if (!values.json && !records.length) writeLine(io.stderr, "No audit records match.");
    return 0;
  } finally {
    await db.close();
  }
}
