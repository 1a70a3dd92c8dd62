import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { resolveAgentCli } from "./agents/agent-clis.js";
import { DefaultRunTimeoutMs, MaxRunTimeoutMs } from "./agents/request.js";
import { bytesSize } from "./bytes.js";
import { durationMs, durationOrZeroMs, formatLimit } from "./duration.js";
import { CodethreadError } from "./errors.js";
import { EnvName, isBotPrivate } from "./process/env.js";
import { Secret } from "./secret.js";
import { isSecretKey, MakeKeyHint } from "./store/credentials/key.js";

/**
 * Every setting codethread reads, from the environment, validated in one place.
 * `.env.example` documents each variable; keep the two in step.
 */

const list = z.string().transform((s) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean),
);

const secret = (prefix: string | undefined, what: string) =>
  z
    .string()
    .min(1)
    .refine((s) => prefix === undefined || s.startsWith(prefix), {
      message: `must start with "${prefix}" (${what})`,
    })
    .transform((s) => new Secret(s));

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const secretKey = z
  .string()
  .refine(isSecretKey, {
    message: `must be 32 random bytes in base64 (44 characters); ${MakeKeyHint}`,
  })
  .transform((s) => new Secret(s));

/** A duration between `min` and `max` milliseconds. */
const boundedDuration = (min: number, max: number) =>
  durationMs.refine((ms) => ms >= min && ms <= max, {
    message: `must be between ${min / 1000} s and ${max / 1000} s (examples: 30s, 2m)`,
  });

const usd = z.coerce
  .number({ message: "must be an amount in USD, e.g. 0.50" })
  .positive({ message: "must be more than 0 (leave it unset for no limit)" })
  .refine(Number.isFinite, { message: "must be an amount in USD, e.g. 0.50" });

/** CODETHREAD_STOP_GRACE when unset: how long running jobs may go on after SIGTERM. */
export const DefaultStopGraceMs = 30_000;

const permissionPolicy = z.enum(["ask", "allow-tools", "bypass", "default"]);

const EnvSchema = z.object({
  SLACK_BOT_TOKEN: secret("xoxb-", "the Bot User OAuth Token from OAuth & Permissions").optional(),
  SLACK_SIGNING_SECRET: secret(undefined, "Basic Information → Signing Secret").optional(),
  SLACK_APP_TOKEN: secret("xapp-", "an app-level token with connections:write, for Socket Mode").optional(),
  SLACK_API_URL: z.url({ message: "must be a URL such as https://slack.com/api/" }).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  CODETHREAD_SLACK_STATUS: bool.default(false),
  /** Streamed answers (chat.startStream): `auto` where the workspace offers them, `on`, `off`. */
  CODETHREAD_STREAMING: z.enum(["auto", "on", "off"]).default("auto"),
  /** Largest file shared with a request that reaches the agent, in MB. */
  CODETHREAD_MAX_ATTACHMENT_MB: z.coerce.number().positive().max(1024).default(20),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: "must be a postgres:// or postgresql:// URL" })
    .transform((s) => new Secret(s))
    .optional(),
  CODETHREAD_DATA_DIR: z.string().default("./.codethread"),
  CODETHREAD_DB_RETRY: boundedDuration(1_000, 3_600_000).default(60_000),
  CODETHREAD_SECRET_KEY: secretKey.optional(),

  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),

  CODETHREAD_WORKSPACE_DIR: z.string().optional(),
  CODETHREAD_ALLOWED_USERS: list.default([]),
  CODETHREAD_ALLOWED_CHANNELS: list.default([]),
  CODETHREAD_ADMINS: list.default([]),

  CODETHREAD_PROVIDERS: list.default(["claude-code", "opencode"]),
  // The same limit as every run request (AgentRequest.validate), so a value accepted here never fails a run.
  CODETHREAD_RUN_TIMEOUT: durationMs
    .refine((ms) => ms <= MaxRunTimeoutMs, {
      message: `must be at most ${formatLimit(MaxRunTimeoutMs)}, the longest run codethread accepts`,
    })
    .default(DefaultRunTimeoutMs),
  CODETHREAD_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  CODETHREAD_LEASE: boundedDuration(1_000, 600_000).default(30_000),
  CODETHREAD_STOP_GRACE: boundedDuration(1_000, 3_600_000).default(DefaultStopGraceMs),
  CODETHREAD_DRAIN_DELAY: durationOrZeroMs
    .refine((ms) => ms <= 300_000, { message: "must be at most 5 m (examples: 0, 5s)" })
    .default(0),
  CODETHREAD_PERMISSION_POLICY: permissionPolicy.default("allow-tools"),
  CODETHREAD_ALLOWED_TOOLS: list.optional(),
  CODETHREAD_PERMISSION_TIMEOUT: durationMs.default(10 * 60_000),
  CODETHREAD_SANDBOX: bool.default(false),
  CODETHREAD_SPAWN_HELPER: bool.default(true),
  CODETHREAD_AGENT_ENV: list.default([]),
  CODETHREAD_MAX_COST_USD: usd.optional(),
  CODETHREAD_USER_DAILY_BUDGET_USD: usd.optional(),

  CLAUDE_BIN: z.string().optional(),
  CLAUDE_MODEL: z.string().optional(),
  CLAUDE_MAX_TURNS: z.coerce.number().int().positive().optional(),
  CLAUDE_CONFIG_ROOT: z.string().optional(),

  CODETHREAD_K8S_NAMESPACE: z.string().optional(),
  CODETHREAD_K8S_POD: z.string().optional(),
  CODETHREAD_K8S_CONTAINER: z.string().optional(),
  CODETHREAD_K8S_CONTEXT: z.string().optional(),
  CODETHREAD_K8S_WORKDIR: z.string().default("/workspace"),
  KUBECTL_BIN: z.string().default("kubectl"),
  CODETHREAD_K8S_PROJECT_SELECTOR: z.string().optional(),

  CODETHREAD_GIT_BIN: z.string().default("git"),
  CODETHREAD_WORKTREE_DIR: z.string().optional(),
  CODETHREAD_WORKTREE_IDLE: durationMs.default(7 * 86_400_000),
  CODETHREAD_WORKTREE_MAX_BYTES: bytesSize.default(20 * 1024 ** 3),
  CODETHREAD_GIT_COMMITTER_NAME: z.string().default("codethread"),
  CODETHREAD_GIT_COMMITTER_EMAIL: z
    .email({ message: "must be an email address such as codethread@example.com" })
    .default("codethread@users.noreply.invalid"),
  CODETHREAD_GIT_AUTHOR_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, { message: "must be a domain name such as users.noreply.example.com" })
    .default("users.noreply.invalid"),

  OPENCODE_URL: z.url().optional(),
  OPENCODE_SERVER_PASSWORD: secret(undefined, "the password opencode serve was started with").optional(),
  OPENCODE_SERVER_USERNAME: z.string().default("opencode"),
  OPENCODE_BIN: z.string().optional(),
  OPENCODE_MODEL: z.string().optional(),

  GITEA_URL: z.url({ message: "must be the forge's base URL, e.g. https://git.example.com" }).optional(),
  GITEA_TOKEN: secret(undefined, "a personal access token of the bot user").optional(),
  GITEA_OWNER: z.string().optional(),
  WOODPECKER_URL: z.url({ message: "must be Woodpecker's base URL, e.g. https://ci.example.com" }).optional(),
  WOODPECKER_API_TOKEN: secret(undefined, "the bot user's personal access token in Woodpecker").optional(),
  CODETHREAD_PROJECT_TEMPLATES: list.default([]),
  CODETHREAD_PROJECT_SECRETS: list.default([]),
  CODETHREAD_BUILD_TIMEOUT: durationMs.default(30 * 60_000),
});

export type Env = z.infer<typeof EnvSchema>;

/** CODETHREAD_ALLOWED_TOOLS when unset, for the `allow-tools` policy: what a coding agent needs. */
export const DefaultAllowedTools = ["Bash", "Read", "Write", "Edit", "Glob", "Grep"] as const;
/** CODETHREAD_ALLOWED_TOOLS when unset, for the `ask` policy: reading runs, commands and edits ask. */
export const DefaultAskAllowedTools = ["Read", "Glob", "Grep"] as const;

export interface Config {
  slack: {
    botToken?: Secret;
    signingSecret?: Secret;
    appToken?: Secret;
    apiUrl?: string;
    port: number;
    host: string;
    /** Show a live status line under run threads (assistant.threads.setStatus). */
    threadStatus: boolean;
    /** CODETHREAD_STREAMING: streamed answers where Slack offers them (`auto`), always tried (`on`), never (`off`). */
    streaming: "auto" | "on" | "off";
    /** CODETHREAD_MAX_ATTACHMENT_MB, in bytes: larger shared files are skipped (and the thread told). */
    maxAttachmentBytes: number;
  };
  database: {
    url?: Secret;
    dataDir: string;
    /** How long writes that belong to a run (and Slack requests) keep retrying while the database is unreachable. */
    retryMs: number;
  };
  secretKey?: Secret;
  /** SIGTERM/SIGINT (src/ops/shutdown.ts). */
  shutdown: {
    /** Running jobs may go on this long after the signal; the rest are interrupted and their threads told. */
    graceMs: number;
    /** Readiness fails at once; Slack requests are still taken this long (while load balancers stop routing here). */
    drainDelayMs: number;
  };
  log: { level: Env["LOG_LEVEL"]; format: "json" | "pretty" };
  workspaceDir: string;
  access: { allowedUsers: string[]; allowedChannels: string[]; admins: string[] };
  runs: {
    providers: string[];
    timeoutMs: number;
    concurrency: number;
    /** A running job whose worker stops renewing it for this long is reported interrupted. */
    leaseMs: number;
    permissionPolicy: z.infer<typeof permissionPolicy>;
    /** Tools that run without asking (see `permissionPolicyFromConfig`). */
    allowedTools: string[];
    permissionTimeoutMs: number;
    sandbox: boolean;
    /** Names of the bot's variables agents may inherit beyond their own (src/process/env.ts). */
    agentEnv: string[];
    /** Records of running agent processes, for stopping leftovers after a crash. */
    processDir: string;
    /** Start local agents from the spawn helper process, off the bot's event loop (src/process/spawner/). */
    spawnHelper: boolean;
    /** A run is stopped once it has cost this much (USD); a reply continues it. */
    maxCostUsd?: number;
    /** A person whose runs cost this much in the last 24 hours is refused new runs. */
    userDailyBudgetUsd?: number;
  };
  claude: {
    bin: string;
    model?: string;
    maxTurns?: number;
    /** Root under which each workspace gets its own CLAUDE_CONFIG_DIR. */
    configRoot: string;
    pod?: { namespace: string; pod: string; container?: string; context?: string; directory: string };
    kubectlBin: string;
  };
  opencode: { url?: string; password?: Secret; username: string; bin: string; model?: string };
  /** Threads' git worktrees and branches (src/workspaces). */
  workspaces: {
    gitBin: string;
    /** Parent of every project's thread worktrees. */
    worktreeDir: string;
    /** A thread quiet this long may lose its worktree (if its branch is pushed or empty). */
    idleMs: number;
    /** Disk bound per project (repository + worktrees), reported by doctor. */
    maxBytes: number;
    committer: { name: string; email: string };
    /** Authors are `<slack user id>@<domain>`. */
    authorDomain: string;
    /** Kubernetes mode: a pod per project, found by this selector in this namespace. */
    pods?: { namespace: string; selector: string; container?: string; context?: string; root: string };
  };
  forge: ForgeConfig;
}

/** Where projects live: Gitea/Forgejo and Woodpecker, or (neither set) local repositories. */
export interface ForgeConfig {
  /** GITEA_URL; the token may instead be in the credential store (`GITEA_TOKEN`). */
  gitea?: { url: string; token?: Secret; owner?: string };
  woodpecker?: { url: string; token?: Secret };
  /** Operator templates: name → template repository on the forge (generated server-side). */
  templates: Record<string, { owner: string; repo: string }>;
  /** Credential-store names copied into every new project's CI secrets. */
  projectSecrets: string[];
  /** How long `build` and the first build wait for a pipeline's result. */
  buildTimeoutMs: number;
}

const TemplateEntry = /^([a-z0-9][a-z0-9_-]*)=([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

function parseTemplates(entries: string[], problems: string[]): ForgeConfig["templates"] {
  const templates: ForgeConfig["templates"] = {};
  for (const entry of entries) {
    const m = TemplateEntry.exec(entry);
    if (m) templates[m[1]!] = { owner: m[2]!, repo: m[3]! };
    else
      problems.push(
        `CODETHREAD_PROJECT_TEMPLATES: "${entry}" must be NAME=OWNER/REPO (e.g. api=templates/api-service)`,
      );
  }
  return templates;
}

/** A list of every missing or invalid variable, each with a hint. */
export class ConfigError extends CodethreadError {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(
      "config_invalid",
      `Configuration problems:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every variable.`,
      { problems },
    );
    this.problems = problems;
  }
}

/** Read `.env` in the working directory into process.env, if present (existing variables win). */
export function loadDotEnv(file = path.resolve(".env")): boolean {
  if (!existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}

/** Parse and validate the environment. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const podVars = [e.CODETHREAD_K8S_NAMESPACE, e.CODETHREAD_K8S_POD];
  const projectPods = Boolean(e.CODETHREAD_K8S_PROJECT_SELECTOR);
  if (podVars.some(Boolean) && !podVars.every(Boolean) && !(projectPods && e.CODETHREAD_K8S_NAMESPACE)) {
    problems.push("CODETHREAD_K8S_NAMESPACE and CODETHREAD_K8S_POD: set both to run agents in a pod, or neither");
  }
  if (projectPods && !e.CODETHREAD_K8S_NAMESPACE) {
    problems.push(
      "CODETHREAD_K8S_PROJECT_SELECTOR: set CODETHREAD_K8S_NAMESPACE too (the namespace of the project pods)",
    );
  }
  if (e.CODETHREAD_PERMISSION_POLICY === "bypass" && !e.CODETHREAD_SANDBOX) {
    problems.push(
      "CODETHREAD_PERMISSION_POLICY: bypass lets agents run anything; set CODETHREAD_SANDBOX=1 to confirm the workspace is a sandbox",
    );
  }
  for (const name of e.CODETHREAD_AGENT_ENV) {
    if (!EnvName.test(name)) problems.push(`CODETHREAD_AGENT_ENV: "${name}" is not a variable name`);
    else if (isBotPrivate(name))
      problems.push(`CODETHREAD_AGENT_ENV: ${name} is codethread's own secret or setting and never reaches an agent`);
  }
  if (e.GITEA_TOKEN && !e.GITEA_URL) problems.push("GITEA_TOKEN: set GITEA_URL too (the forge the token belongs to)");
  if (e.WOODPECKER_URL && !e.GITEA_URL) {
    problems.push("WOODPECKER_URL: Woodpecker builds repositories on your forge; set GITEA_URL too");
  }
  if (e.WOODPECKER_API_TOKEN && !e.WOODPECKER_URL) {
    problems.push("WOODPECKER_API_TOKEN: set WOODPECKER_URL too (the server the token belongs to)");
  }
  if (e.CODETHREAD_DRAIN_DELAY >= e.CODETHREAD_STOP_GRACE) {
    problems.push(
      "CODETHREAD_DRAIN_DELAY: must be shorter than CODETHREAD_STOP_GRACE (both count from SIGTERM: Slack intake stops after the delay, runs are interrupted after the grace)",
    );
  }
  const templates = parseTemplates(e.CODETHREAD_PROJECT_TEMPLATES, problems);
  if (problems.length) throw new ConfigError(problems);

  const dataDir = path.resolve(cwd, e.CODETHREAD_DATA_DIR);
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      port: e.PORT,
      host: e.HOST,
      threadStatus: e.CODETHREAD_SLACK_STATUS,
      streaming: e.CODETHREAD_STREAMING,
      maxAttachmentBytes: Math.round(e.CODETHREAD_MAX_ATTACHMENT_MB * 1024 * 1024),
    },
    database: { url: e.DATABASE_URL, dataDir, retryMs: e.CODETHREAD_DB_RETRY },
    secretKey: e.CODETHREAD_SECRET_KEY,
    shutdown: { graceMs: e.CODETHREAD_STOP_GRACE, drainDelayMs: e.CODETHREAD_DRAIN_DELAY },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json") },
    workspaceDir: path.resolve(cwd, e.CODETHREAD_WORKSPACE_DIR ?? "."),
    access: {
      allowedUsers: e.CODETHREAD_ALLOWED_USERS,
      allowedChannels: e.CODETHREAD_ALLOWED_CHANNELS,
      admins: e.CODETHREAD_ADMINS,
    },
    runs: {
      providers: e.CODETHREAD_PROVIDERS,
      timeoutMs: e.CODETHREAD_RUN_TIMEOUT,
      concurrency: e.CODETHREAD_CONCURRENCY,
      leaseMs: e.CODETHREAD_LEASE,
      permissionPolicy: e.CODETHREAD_PERMISSION_POLICY,
      allowedTools: [
        ...(e.CODETHREAD_ALLOWED_TOOLS ??
          (e.CODETHREAD_PERMISSION_POLICY === "ask" ? DefaultAskAllowedTools : DefaultAllowedTools)),
      ],
      permissionTimeoutMs: e.CODETHREAD_PERMISSION_TIMEOUT,
      sandbox: e.CODETHREAD_SANDBOX,
      agentEnv: e.CODETHREAD_AGENT_ENV,
      processDir: path.join(dataDir, "processes"),
      spawnHelper: e.CODETHREAD_SPAWN_HELPER,
      maxCostUsd: e.CODETHREAD_MAX_COST_USD,
      userDailyBudgetUsd: e.CODETHREAD_USER_DAILY_BUDGET_USD,
    },
    claude: {
      bin: resolveAgentCli("claude-code", e.CLAUDE_BIN).bin,
      model: e.CLAUDE_MODEL,
      maxTurns: e.CLAUDE_MAX_TURNS,
      configRoot: path.resolve(cwd, e.CLAUDE_CONFIG_ROOT ?? path.join(dataDir, "claude")),
      pod:
        e.CODETHREAD_K8S_NAMESPACE && e.CODETHREAD_K8S_POD
          ? {
              namespace: e.CODETHREAD_K8S_NAMESPACE,
              pod: e.CODETHREAD_K8S_POD,
              container: e.CODETHREAD_K8S_CONTAINER,
              context: e.CODETHREAD_K8S_CONTEXT,
              directory: e.CODETHREAD_K8S_WORKDIR,
            }
          : undefined,
      kubectlBin: e.KUBECTL_BIN,
    },
    opencode: {
      url: e.OPENCODE_URL,
      password: e.OPENCODE_SERVER_PASSWORD,
      username: e.OPENCODE_SERVER_USERNAME,
      bin: resolveAgentCli("opencode", e.OPENCODE_BIN).bin,
      model: e.OPENCODE_MODEL,
    },
    workspaces: {
      gitBin: e.CODETHREAD_GIT_BIN,
      worktreeDir: path.resolve(cwd, e.CODETHREAD_WORKTREE_DIR ?? path.join(dataDir, "worktrees")),
      idleMs: e.CODETHREAD_WORKTREE_IDLE,
      maxBytes: e.CODETHREAD_WORKTREE_MAX_BYTES,
      committer: { name: e.CODETHREAD_GIT_COMMITTER_NAME, email: e.CODETHREAD_GIT_COMMITTER_EMAIL },
      authorDomain: e.CODETHREAD_GIT_AUTHOR_DOMAIN,
      pods:
        e.CODETHREAD_K8S_NAMESPACE && e.CODETHREAD_K8S_PROJECT_SELECTOR
          ? {
              namespace: e.CODETHREAD_K8S_NAMESPACE,
              selector: e.CODETHREAD_K8S_PROJECT_SELECTOR,
              container: e.CODETHREAD_K8S_CONTAINER,
              context: e.CODETHREAD_K8S_CONTEXT,
              root: e.CODETHREAD_K8S_WORKDIR,
            }
          : undefined,
    },
    forge: {
      gitea: e.GITEA_URL ? { url: e.GITEA_URL, token: e.GITEA_TOKEN, owner: e.GITEA_OWNER } : undefined,
      woodpecker: e.WOODPECKER_URL ? { url: e.WOODPECKER_URL, token: e.WOODPECKER_API_TOKEN } : undefined,
      templates,
      projectSecrets: e.CODETHREAD_PROJECT_SECRETS,
      buildTimeoutMs: e.CODETHREAD_BUILD_TIMEOUT,
    },
  };
}

/** The Slack settings `start` needs; lists every missing one. */
export function requireSlack(config: Config): { botToken: Secret; signingSecret?: Secret; appToken?: Secret } {
  const { botToken, signingSecret, appToken } = config.slack;
  const missing: string[] = [];
  if (!botToken) missing.push("SLACK_BOT_TOKEN: the Bot User OAuth Token (xoxb-…) from OAuth & Permissions");
  if (!appToken && !signingSecret) {
    missing.push(
      "SLACK_SIGNING_SECRET (HTTP mode, from Basic Information) or SLACK_APP_TOKEN (Socket Mode, an xapp-… token with connections:write)",
    );
  }
  if (missing.length || !botToken) throw new ConfigError(missing);
  return { botToken, signingSecret, appToken };
}
