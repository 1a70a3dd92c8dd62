import { parseArgs } from "node:util";
import { webApi } from "@slack/bolt";
import { type AgentCliId, installHint } from "../../agents/agent-clis.js";
import { DefaultAvailabilityTimeoutMs } from "../../agents/port.js";
import type { ProviderRegistry } from "../../agents/registry.js";
import { type Config, ConfigError, loadConfig, loadDotEnv } from "../../config.js";
import { messageOf } from "../../errors.js";
import { silentLogger } from "../../log.js";
import type { Database } from "../../store/database.js";
import { loadMigrations } from "../../store/migrate.js";
import { openDatabase } from "../../store/open.js";
import { parseOrUsage } from "../errors.js";
import { type CliIO, writeLine } from "../io.js";
import { type Check, checkForge } from "./doctor-forge.js";
import { slackScopeChecks } from "./doctor-slack-scopes.js";
import { checkWorktrees } from "./doctor-worktrees.js";

export const doctorHelp = `Usage: codethread doctor

Check the configuration, the database, each agent provider (within ${DefaultAvailabilityTimeoutMs / 1000} s),
the forge and CI tokens (whose they are, which scopes, server versions, credential store or
environment), each project's disk use against CODETHREAD_WORKTREE_MAX_BYTES and, when SLACK_BOT_TOKEN is set, Slack's auth.test (without it, start opens the local
Slack console). Prints one line per check with how to fix what fails; exits 1 when anything needed
to start is missing (the default agent, the first of CODETHREAD_PROVIDERS, included). Missing agent
CLIs: \`npm run agents:install\`.`;

type Status = Check["status"];

const mark: Record<Status, string> = { ok: "✓", warn: "!", fail: "✗" };

async function checkSlack(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  const { botToken, signingSecret, appToken } = config.slack;
  if (!botToken) {
    const unused = [signingSecret && "SLACK_SIGNING_SECRET", appToken && "SLACK_APP_TOKEN"].filter(Boolean);
    return [
      {
        name: "slack",
        status: unused.length ? "warn" : "ok",
        detail:
          `local console: SLACK_BOT_TOKEN is not set, so \`codethread start\` opens a Slack stand-in at http://127.0.0.1:${config.slack.port}. ` +
          (unused.length ? `${unused.join(" and ")} set but unused without SLACK_BOT_TOKEN. ` : "") +
          "For a real workspace, create the app from manifest.yml and set SLACK_BOT_TOKEN (README, 'Create the Slack app').",
      },
    ];
  }
  try {
    const client = new webApi.WebClient(botToken.reveal(), {
      slackApiUrl: config.slack.apiUrl,
      timeout: DefaultAvailabilityTimeoutMs,
      retryConfig: { retries: 0 },
    });
    const auth = await client.auth.test();
    checks.push({ name: "slack token", status: "ok", detail: `auth.test: ${auth.user} in ${auth.team}` });
    checks.push(...slackScopeChecks(auth.response_metadata?.scopes));
  } catch (err) {
    checks.push({ name: "slack token", status: "fail", detail: `auth.test failed: ${messageOf(err)}` });
  }
  if (!appToken && !signingSecret) {
    checks.push({
      name: "slack mode",
      status: "fail",
      detail:
        "Set SLACK_SIGNING_SECRET (HTTP mode; Basic Information → Signing Secret) or SLACK_APP_TOKEN (Socket Mode; an xapp-… token with connections:write).",
    });
  } else {
    checks.push({
      name: "slack mode",
      status: "ok",
      detail: appToken ? "Socket Mode (SLACK_APP_TOKEN)" : `HTTP on port ${config.slack.port}, path /slack/events`,
    });
  }
  return checks;
}

/** The doctor's one connection to the bot's database (the embedded server starts once), or why it failed. */
async function openForDoctor(config: Config): Promise<{ db: Database } | { error: string }> {
  try {
    return { db: await openDatabase(config, silentLogger, { migrate: false }) };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

async function checkDatabase(opened: { db: Database } | { error: string }): Promise<Check> {
  if ("error" in opened) return { name: "database", status: "fail", detail: opened.error };
  const { db } = opened;
  const known = loadMigrations();
  const applied = await db
    .query<{ id: number }>("SELECT id FROM schema_migrations")
    .then((r) => new Set(r.rows.map((x) => x.id)))
    .catch(() => new Set<number>());
  const pending = known.filter((m) => !applied.has(m.id)).length;
  return {
    name: "database",
    status: "ok",
    detail: `${db.describe()}; ${pending ? `${pending} migration(s) pending (applied at start, or run: codethread migrate)` : "schema up to date"}`,
  };
}

function checkSecretKey(config: Config): Check {
  return config.secretKey
    ? { name: "secret key", status: "ok", detail: "CODETHREAD_SECRET_KEY is set" }
    : {
        name: "secret key",
        status: "warn",
        detail:
          "CODETHREAD_SECRET_KEY is not set; it is needed once infrastructure credentials are stored. Make one: openssl rand -base64 32",
      };
}

/** The CLI a provider runs on this machine (not in a pod, not a remote server): which binary, how to install it. */
function localCli(config: Config, id: string): { id: AgentCliId; bin: string } | undefined {
  if (id === "claude-code" && !config.claude.pod) return { id, bin: config.claude.bin };
  if (id === "opencode" && !config.opencode.url) return { id, bin: config.opencode.bin };
  return undefined;
}

/** One line per provider; the default one (first of CODETHREAD_PROVIDERS) must be available to start. */
async function checkProviders(config: Config, registry: ProviderRegistry): Promise<Check[]> {
  // Loaded here, with the providers themselves: the other commands never load agent code.
  const { findProvider } = await import("../../agents/providers.js");
  const defaultId = registry.default().id;
  return Promise.all(
    registry.all().map(async (agent): Promise<Check> => {
      const a = await agent.checkAvailability({ timeoutMs: DefaultAvailabilityTimeoutMs });
      const cli = localCli(config, agent.id);
      if (a.available)
        return { name: agent.id, status: "ok", detail: `available, version ${a.version}${cli ? ` (${cli.bin})` : ""}` };
      const isDefault = agent.id === defaultId;
      return {
        name: agent.id,
        status: isDefault ? "fail" : "warn",
        detail:
          `unavailable: ${a.reason.replace(/\.$/, "")}.` +
          (cli ? ` ${installHint(cli.id)}` : ` ${findProvider(agent.id)?.availabilityHint ?? ""}`) +
          (isDefault
            ? " It is the default agent (first of CODETHREAD_PROVIDERS)."
            : " Runs that ask for it will fail; drop it from CODETHREAD_PROVIDERS if it is not wanted."),
      };
    }),
  );
}

export interface DoctorDeps {
  /** Builds the provider registry from the configuration. */
  providers?: (config: Config) => Promise<ProviderRegistry>;
}

export async function doctorCommand(argv: string[], io: CliIO, deps: DoctorDeps = {}): Promise<number> {
  const { values } = parseOrUsage(doctorHelp, () =>
    parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, strict: true }),
  );
  if (values.help) {
    writeLine(io.stdout, doctorHelp);
    return 0;
  }
  const dotenv = loadDotEnv(`${io.cwd}/.env`);
  const checks: Check[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(io.env, io.cwd);
    checks.push({
      name: "config",
      status: "ok",
      detail: dotenv ? "environment and .env" : "environment (no .env file)",
    });
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [messageOf(err)];
    for (const p of problems) checks.push({ name: "config", status: "fail", detail: p });
  }
  if (config) {
    checks.push(...(await checkSlack(config)));
    const opened = await openForDoctor(config);
    const db = "db" in opened ? opened.db : undefined;
    try {
      checks.push(await checkDatabase(opened));
      checks.push(checkSecretKey(config));
      checks.push(...(await checkForge(config, db)));
      checks.push(...(await checkWorktrees(config, db)));
    } finally {
      await db?.close().catch(() => undefined);
    }
    if (deps.providers) {
      const registry = await deps.providers(config);
      try {
        checks.push(...(await checkProviders(config, registry)));
      } finally {
        await registry.closeAll();
      }
    }
  }
  writeLine(io.stdout, "codethread doctor");
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) writeLine(io.stdout, `  ${mark[c.status]} ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = checks.filter((c) => c.status === "fail").length;
  writeLine(
    io.stdout,
    failed
      ? `\n${failed} problem(s) must be fixed before \`npm start\`. Every variable is described in .env.example; the Slack app comes from manifest.yml (see README).`
      : "\nReady to start.",
  );
  return failed ? 1 : 0;
}
