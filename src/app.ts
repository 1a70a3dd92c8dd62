import { createProviderRegistry } from "./agents/providers.js";
import type { ProviderRegistry } from "./agents/registry.js";
import type { WatchOptions } from "./ci/build-watch.js";
import type { ForgeConnection } from "./ci/connection.js";
import { ciWatchJobHandler } from "./ci/pr/ci-watch-job.js";
import { PullRequestPayload } from "./ci/pr/payloads.js";
import { pullRequestJobHandler } from "./ci/pr/pull-request-job.js";
import { buildJobHandler, provisionJobHandler } from "./ci/project-jobs.js";
import { ProjectService } from "./ci/project-service.js";
import { ThreadProjects } from "./ci/thread-projects.js";
import { sweepWorktrees } from "./ci/worktree-sweep.js";
import { type Config, requireSlack } from "./config.js";
import { registerHandlers } from "./handlers/register.js";
import type { Logger } from "./log.js";
import { checkAgents } from "./ops/agent-availability.js";
import { ErrNotStarted } from "./ops/errors.js";
import { MeteredNativeSlackApi } from "./ops/metered-native-api.js";
import { meteredPublisher } from "./ops/metered-publisher.js";
import { MeteredSlackApi } from "./ops/metered-slack-api.js";
import { PromMetrics } from "./ops/prom-metrics.js";
import { queueDepth } from "./ops/queue-depth.js";
import { opsRoutes } from "./ops/routes.js";
import { drain } from "./ops/shutdown.js";
import { killLeftovers } from "./process/leftovers.js";
import { useSpawnHelper } from "./process/spawn.js";
import { AckFirst } from "./slack/ack-first.js";
import type { StreamOptions } from "./slack/answer-stream.js";
import { startBoltApp } from "./slack/bolt-app.js";
import type { Clock } from "./slack/clock.js";
import { WebNativeSlackApi } from "./slack/native-api.js";
import type { ProgressEditorOptions } from "./slack/progress-editor.js";
import { SlackPublisher } from "./slack/publisher.js";
import type { RetryPolicy } from "./slack/retry.js";
import { RetryingSlackApi } from "./slack/retrying-api.js";
import { createWebClient, WebSlackApi } from "./slack/slack-api.js";
import { UserNames } from "./slack/user-names.js";
import { listAudit, recordAudit } from "./store/audit.js";
import { openCredentialStore } from "./store/credentials/store.js";
import type { Database } from "./store/database.js";
import { pruneDeliveryKeys } from "./store/delivery-keys.js";
import { openDatabase } from "./store/open.js";
import { createJobQueue } from "./store/queue/sql-job-queue.js";
import type { JobQueue } from "./store/queue/types.js";
import { retryingDatabase } from "./store/retrying-database.js";
import { parseThreadKey } from "./store/thread-key.js";
import { createWorker, type WorkerOptions } from "./worker/worker.js";

/** Parts a test or an embedding program replaces; everything else comes from the configuration. */
export interface AppOverrides {
  db?: Database;
  registry?: ProviderRegistry;
  clock?: Clock;
  /** Web API base URL (default config.slack.apiUrl, else Slack's). */
  slackApiUrl?: string;
  progress?: ProgressEditorOptions;
  /** Projects: poll timing of builds, and the forge connection (default: from the configuration). */
  projects?: { watch?: Partial<Omit<WatchOptions, "signal">>; connect?: () => Promise<ForgeConnection> };
  /** CI verdicts of pull requests: poll timing and deadline (tests shorten them). */
  ciWatch?: { initialDelayMs?: number; maxDelayMs?: number; deadlineMs?: number };
  worker?: Partial<Omit<WorkerOptions, "db" | "registry" | "publisher">>;
  /** Show each run's latest tool use as its thread's status line (assistant.threads.setStatus). Default off. */
  threadStatus?: boolean;
  /** Streamed answers: append interval and budgets (default DefaultStreamOptions). */
  streamOptions?: StreamOptions;
  /** Grace period for running jobs at stop (default config.shutdown.graceMs, CODETHREAD_STOP_GRACE). */
  stopGraceMs?: number;
  /** Slack requests still taken after a stop began (default config.shutdown.drainDelayMs, CODETHREAD_DRAIN_DELAY). */
  drainDelayMs?: number;
  /** A Slack Web API call that has not answered in this long is abandoned and retried (default 10 s). */
  slackTimeoutMs?: number;
  /** How calls that must land (answers, cards, notices) are retried (default DefaultRetryPolicy). */
  slackRetry?: Partial<RetryPolicy>;
  /** Where the numbers go (default: a Prometheus registry of this app's own, served on /metrics). */
  metrics?: PromMetrics;
  /** HTTP mode: how long Slack's request waits for the bot's ack before the front answers for it (default 15 ms). */
  ackDeadlineMs?: number;
}

export interface RunningApp {
  /** HTTP mode: the events URL. */
  url?: string;
  db: Database;
  queue: JobQueue;
  publisher: SlackPublisher;
  metrics: PromMetrics;
  /**
   * Drain (src/ops/shutdown.ts): unready and no new claims at once, Slack requests taken for the drain
   * delay, runs finish for the grace period, the rest are interrupted (threads told), everything closes.
   */
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
  if (config.runs.spawnHelper) useSpawnHelper(log.child({ component: "spawn-helper" }));
  const registry = overrides.registry ?? (await createProviderRegistry(config, log));
  const queue = createJobQueue(db);
  const metrics = overrides.metrics ?? new PromMetrics({ queueDepth: () => queueDepth(db) });
  const api = (kind: "progress" | "reliable") =>
    new MeteredSlackApi(
      new WebSlackApi(
        createWebClient({ token: slack.botToken, apiUrl, kind, log, timeoutMs: overrides.slackTimeoutMs }),
      ),
      metrics,
    );

  // Slack's agent features and files: no retries of their own (a refusal is remembered per workspace).
  const native = new MeteredNativeSlackApi(
    new WebNativeSlackApi(
      createWebClient({ token: slack.botToken, apiUrl, kind: "progress", log, timeoutMs: overrides.slackTimeoutMs }),
      slack.botToken,
      apiUrl,
    ),
    metrics,
  );
  const publisher = new SlackPublisher({
    native: { api: native, streaming: config.slack.streaming, streamOptions: overrides.streamOptions },
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
  // Projects: provisioning and builds as jobs on the queue, their cards through the publisher.
  const projects = new ProjectService({
    db,
    queue,
    config,
    log: log.child({ component: "projects" }),
    credentials: config.secretKey ? openCredentialStore(db, config.secretKey) : undefined,
    ...overrides.projects,
  });
  // Threads of bound projects: a worktree and branch each; pull requests and CI verdicts as jobs.
  const threads = new ThreadProjects({
    db,
    config,
    connect: () => projects.connect(),
    log: log.child({ component: "thread-projects" }),
    userName: (id) => users.nameOf(id),
    updatePullRequest: async ({ threadKey: key, userId, project }) => {
      const ref = parseThreadKey(key);
      if (!ref) return;
      const payload = PullRequestPayload.parse({ ...ref, userId, project, source: "run" });
      await queue.enqueue({ kind: "pull_request", threadKey: key, payload });
    },
  });
  // What the pull request and CI watch jobs share: they post in threads through the publisher.
  const threadJobs = { db, queue, connect: () => projects.connect(), poster: publisher };
  const worker = createWorker({
    db,
    registry,
    publisher: meteredPublisher(publisher, metrics),
    log,
    config,
    dbRetryMs: config.database.retryMs,
    attachments: { download: (url, max) => native.download(url, max), maxBytes: config.slack.maxAttachmentBytes },
    prepareThreadProject: (input) => threads.prepare(input),
    metrics,
    ...overrides.worker,
    handlers: {
      provision: provisionJobHandler(projects, (job, payload) => publisher.projects.provision(job, payload), metrics),
      build: buildJobHandler(projects, (job, payload) => publisher.projects.build(job, payload), metrics),
      pull_request: pullRequestJobHandler({
        ...threadJobs,
        threads,
        log: log.child({ component: "pull-requests" }),
        ciDeadlineMs: overrides.ciWatch?.deadlineMs,
      }),
      ci_watch: ciWatchJobHandler({
        ...threadJobs,
        log: log.child({ component: "ci-watch" }),
        initialDelayMs: overrides.ciWatch?.initialDelayMs,
        maxDelayMs: overrides.ciWatch?.maxDelayMs,
      }),
      ...overrides.worker?.handlers,
    },
  });
  // Slack requests wait out a short database outage too (claims carry a claimant token, enqueues a
  // dedupe key: repeating them is safe); past the budget the person is told the request was not taken.
  const handlerDb = retryingDatabase(db, {
    budgetMs: config.database.retryMs,
    log: log.child({ component: "handlers" }),
  });

  let draining = false;
  const routes = opsRoutes({
    metrics,
    draining: () => draining,
    checks: [
      { name: "database", check: async () => void (await db.query("SELECT 1")) },
      { name: "slack", check: async () => void (bolt ?? (await Promise.reject(new ErrNotStarted("slack")))) },
      {
        name: "agents",
        check: async (signal) => {
          const some = await checkAgents(registry, metrics);
          if (signal.aborted || !some) throw new ErrNotStarted("agents");
        },
      },
    ],
  });

  let bolt: Awaited<ReturnType<typeof startBoltApp>> | undefined;
  const ackFirst = new AckFirst();
  try {
    await worker.start();
    bolt = await startBoltApp({
      routes,
      ackFirst,
      ackDeadlineMs: overrides.ackDeadlineMs,
      metrics,
      botToken: slack.botToken,
      signingSecret: slack.signingSecret,
      appToken: slack.appToken,
      apiUrl,
      port: config.slack.port,
      host: config.slack.host,
      log,
      register: (app) =>
        registerHandlers(app, {
          db: handlerDb,
          queue: createJobQueue(handlerDb),
          registry,
          access: config.access,
          slack: new RetryingSlackApi(api("reliable"), {
            log: log.child({ component: "handlers" }),
            policy: overrides.slackRetry,
          }),
          log: log.child({ component: "handlers" }),
          users,
          projects,
          userDailyBudgetUsd: config.runs.userDailyBudgetUsd,
          native,
          ackFirst,
          maxAttachmentBytes: config.slack.maxAttachmentBytes,
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

  // The availability gauge before the first probe (a bot nobody probes still shows it on /metrics).
  checkAgents(registry, metrics).catch((err: unknown) => log.warn({ err }, "checking the agents failed"));
  // Slack retries within minutes; delivery keys older than a day are dropped hourly.
  // Idle thread worktrees (CODETHREAD_WORKTREE_IDLE) go hourly too; sweeps never overlap.
  let sweeping = false;
  const sweep = () => {
    if (sweeping) return;
    sweeping = true;
    sweepWorktrees({
      db,
      threads,
      dataDir: config.database.dataDir,
      idleMs: config.workspaces.idleMs,
      maxBytes: config.workspaces.maxBytes,
      log: log.child({ component: "worktree-sweep" }),
    })
      .catch((err: unknown) => log.warn({ err }, "sweeping idle worktrees failed"))
      .finally(() => {
        sweeping = false;
      });
  };
  const prune = setInterval(() => {
    pruneDeliveryKeys(db).catch((err: unknown) => log.warn({ err }, "pruning delivery keys failed"));
    sweep();
  }, 3_600_000);
  prune.unref();

  let stopping: Promise<void> | undefined;
  const running = bolt;
  const stop = () => {
    stopping ??= drain(
      {
        markDraining: () => {
          draining = true;
          clearInterval(prune);
        },
        stopWorker: (graceMs) => worker.stop({ graceMs }),
        stopIntake: () => running.stop(),
        close: async () => {
          await publisher.close();
          if (!overrides.registry) await registry.closeAll();
          if (!overrides.db) await db.close();
          log.info("stopped");
        },
      },
      {
        graceMs: overrides.stopGraceMs ?? config.shutdown.graceMs,
        drainDelayMs: overrides.drainDelayMs ?? config.shutdown.drainDelayMs,
        log,
      },
    );
    return stopping;
  };
  return { url: bolt.url, db, queue, publisher, metrics, stop };
}
