import { createProviderRegistry } from "./agents/providers.js";
import type { ProviderRegistry } from "./agents/registry.js";
import { type Config, requireSlack } from "./config.js";
import type { ProjectDirectory } from "./handlers/deps.js";
import { registerHandlers } from "./handlers/register.js";
import type { Logger } from "./log.js";
import { killLeftovers } from "./process/leftovers.js";
import { startBoltApp } from "./slack/bolt-app.js";
import type { Clock } from "./slack/clock.js";
import type { ProgressEditorOptions } from "./slack/progress-editor.js";
import { SlackPublisher } from "./slack/publisher.js";
import type { RetryPolicy } from "./slack/retry.js";
import { RetryingSlackApi } from "./slack/retrying-api.js";
import { createWebClient, WebSlackApi } from "./slack/slack-api.js";
import { UserNames } from "./slack/user-names.js";
import { listAudit, recordAudit } from "./store/audit.js";
import type { Database } from "./store/database.js";
import { pruneDeliveryKeys } from "./store/delivery-keys.js";
import { openDatabase } from "./store/open.js";
import { createJobQueue } from "./store/queue/sql-job-queue.js";
import type { JobQueue } from "./store/queue/types.js";
import { createWorker, type WorkerOptions } from "./worker/worker.js";

/** Parts a test or an embedding program replaces; everything else comes from the configuration. */
export interface AppOverrides {
  db?: Database;
  registry?: ProviderRegistry;
  clock?: Clock;
  /** Web API base URL (default config.slack.apiUrl, else Slack's). */
  slackApiUrl?: string;
  progress?: ProgressEditorOptions;
  projects?: ProjectDirectory;
  worker?: Partial<Omit<WorkerOptions, "db" | "registry" | "publisher">>;
  /** Show each run's latest tool use as its thread's status line (assistant.threads.setStatus). Default off. */
  threadStatus?: boolean;
  /** Grace period for running jobs at stop (default 10 s). */
  stopGraceMs?: number;
  /** A Slack Web API call that has not answered in this long is abandoned and retried (default 10 s). */
  slackTimeoutMs?: number;
  /** How calls that must land (answers, cards, notices) are retried (default DefaultRetryPolicy). */
  slackRetry?: Partial<RetryPolicy>;
}

export interface RunningApp {
  /** HTTP mode: the events URL. */
  url?: string;
  db: Database;
  queue: JobQueue;
  publisher: SlackPublisher;
  /** Stop taking Slack requests, let runs finish for the grace period, interrupt the rest, close everything. */
  stop(): Promise<void>;
}

/**
 * The composition root: database, providers, queue, Slack publisher, worker and the Bolt app.
 * `codethread start` calls it and calls `stop()` on SIGTERM/SIGINT.
 */
export async function startApp(config: Config, log: Logger, overrides: AppOverrides = {}): Promise<RunningApp> {
  const slack = requireSlack(config);
  const configuredUrl = overrides.slackApiUrl ?? config.slack.apiUrl;
  // The Web API client appends method names to the base URL: it must end with a slash.
  const apiUrl = configuredUrl && !configuredUrl.endsWith("/") ? `${configuredUrl}/` : configuredUrl;
  const db = overrides.db ?? (await openDatabase(config, log));
  // Agents a crashed predecessor left running from this data directory (its lock is ours now).
  await killLeftovers(config.runs.processDir, { log: log.child({ component: "processes" }) });
  const registry = overrides.registry ?? createProviderRegistry(config, log);
  const queue = createJobQueue(db);
  const api = (kind: "progress" | "reliable") =>
    new WebSlackApi(createWebClient({ token: slack.botToken, apiUrl, kind, log, timeoutMs: overrides.slackTimeoutMs }));

  const publisher = new SlackPublisher({
    progress: api("progress"),
    reliable: api("reliable"),
    log: log.child({ component: "publisher" }),
    clock: overrides.clock,
    progressOptions: overrides.progress,
    retry: overrides.slackRetry,
    threadStatus: overrides.threadStatus ?? config.slack.threadStatus,
    permissionTimeoutMs: config.runs.permissionPolicy === "ask" ? config.runs.permissionTimeoutMs : undefined,
    wasAnswered: async (jobId, requestId) => {
      const job = await queue.get(jobId);
      const records = await listAudit(db, { threadKey: job?.threadKey, limit: 200 });
      return records.some(
        (r) => r.action.startsWith("permission.") && r.detail.jobId === jobId && r.detail.requestId === requestId,
      );
    },
    onPermissionTimeout: (run, requestId) =>
      recordAudit(db, {
        actor: "system",
        action: "permission.timeout",
        threadKey: run.threadKey,
        detail: { jobId: run.jobId, requestId },
      }),
  });
  // Names for mentions in prompts: a client without retries (a lookup waits at most seconds, then shows the id).
  const lookups = api("progress");
  const users = new UserNames((id) => lookups.userName(id));
  const worker = createWorker({ db, registry, publisher, log, config, ...overrides.worker });

  let bolt: Awaited<ReturnType<typeof startBoltApp>> | undefined;
  try {
    await worker.start();
    bolt = await startBoltApp({
      botToken: slack.botToken,
      signingSecret: slack.signingSecret,
      appToken: slack.appToken,
      apiUrl,
      port: config.slack.port,
      host: config.slack.host,
      log,
      register: (app) =>
        registerHandlers(app, {
          db,
          queue,
          registry,
          access: config.access,
          slack: new RetryingSlackApi(api("reliable"), {
            log: log.child({ component: "handlers" }),
            policy: overrides.slackRetry,
          }),
          log: log.child({ component: "handlers" }),
          users,
          projects: overrides.projects,
          userDailyBudgetUsd: config.runs.userDailyBudgetUsd,
          cancelledBeforeStart: (run, by) => publisher.runCancelledBeforeStart(run, by),
        }),
    });
  } catch (err) {
    await worker.stop({ graceMs: 0 }).catch(() => undefined);
    await publisher.close();
    if (!overrides.registry) await registry.closeAll();
    if (!overrides.db) await db.close().catch(() => undefined);
    throw err;
  }

  // Slack retries within minutes; delivery keys older than a day are dropped hourly.
  const prune = setInterval(() => {
    pruneDeliveryKeys(db).catch((err: unknown) => log.warn({ err }, "pruning delivery keys failed"));
  }, 3_600_000);
  prune.unref();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(prune);
      await bolt?.stop().catch((err: unknown) => log.warn({ err }, "stopping the Slack app failed"));
      await worker.stop({ graceMs: overrides.stopGraceMs ?? 10_000 });
      await publisher.close();
      if (!overrides.registry) await registry.closeAll();
      if (!overrides.db) await db.close();
      log.info("stopped");
    })();
    return stopping;
  };
  return { url: bolt.url, db, queue, publisher, stop };
}
