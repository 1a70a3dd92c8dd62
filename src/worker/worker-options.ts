import type { ProviderRegistry } from "../agents/registry.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../ops/metrics.js";
import type { Database } from "../store/database.js";
import type { JobKind } from "../store/queue/types.js";
import { DefaultDbRetryMs } from "../store/retry.js";
import { retryingDatabase } from "../store/retrying-database.js";
import { type AgentRunDeps, agentRunHandler } from "./agent-run-handler.js";
import { ErrWorkerConfig } from "./errors.js";
import type { JobHandler } from "./handler.js";
import type { RunPublisher } from "./publisher.js";
import {
  type BuildRequest,
  defaultBuildRequest,
  defaultResolveWorkspace,
  type ResolveWorkspace,
  type WorkerConfig,
} from "./request-defaults.js";
import type { PrepareThreadProject } from "./run-changes.js";

export interface WorkerOptions {
  db: Database;
  registry: ProviderRegistry;
  publisher: RunPublisher;
  log?: Logger;
  /** Needed by the defaults of `resolveWorkspace` and `buildRequest`, and for the default concurrency. */
  config?: WorkerConfig;
  /** Jobs run at once by this process (different threads). Default: config.runs.concurrency, else 4. */
  concurrency?: number;
  /** A running job whose lease is not extended for this long is reaped as interrupted. Default config.runs.leaseMs, else 30 s. */
  leaseMs?: number;
  /**
   * How long a run's writes (session id, outcome, audit, lease renewal) retry while the database is
   * unreachable (CODETHREAD_DB_RETRY). Default 60 s.
   */
  dbRetryMs?: number;
  /** How often leases are extended. Default leaseMs / 3. */
  heartbeatMs?: number;
  /** Fallback poll for new jobs and missed control messages. Default 1 s. */
  pollMs?: number;
  /** How often expired leases are looked for. Default leaseMs / 2, at most 5 s. */
  reapMs?: number;
  /** Default: host:pid:random. */
  workerId?: string;
  resolveWorkspace?: ResolveWorkspace;
  /** A run in a project works in its thread's worktree (src/ci/thread-projects.ts), whatever `resolveWorkspace` says. */
  prepareThreadProject?: PrepareThreadProject;
  buildRequest?: BuildRequest;
  /** Where the queue wait of each claimed job goes (default: nowhere). */
  metrics?: Metrics;
  /** Fetches files shared with requests into their workspace (the app's bot token); absent: they are reported not passed on. */
  attachments?: AgentRunDeps["attachments"];
  /** Handlers by job kind, merged over the built-in `agent_run` handler. */
  handlers?: Partial<Record<JobKind, JobHandler>>;
}

/** The handlers by kind: the built-in agent_run handler (with its defaults) under `options.handlers`. */
export function buildHandlers(o: WorkerOptions, log: Logger): Map<JobKind, JobHandler> {
  const needConfig = (what: string) => {
    if (!o.config) throw new ErrWorkerConfig(`pass config, or ${what}`);
    return o.config;
  };
  const handlers = new Map<JobKind, JobHandler>();
  if (!o.handlers?.agent_run) {
    handlers.set(
      "agent_run",
      agentRunHandler({
        // Every statement of a run is safe to repeat (upserts, keyed writes, audit appends).
        db: retryingDatabase(o.db, { budgetMs: o.dbRetryMs ?? DefaultDbRetryMs, log }),
        registry: o.registry,
        publisher: o.publisher,
        log,
        resolveWorkspace: o.resolveWorkspace ?? defaultResolveWorkspace(needConfig("resolveWorkspace"), o.registry),
        prepareThreadProject: o.prepareThreadProject,
        buildRequest: o.buildRequest ?? defaultBuildRequest(needConfig("buildRequest")),
        attachments: o.attachments,
      }),
    );
  }
  for (const [kind, handler] of Object.entries(o.handlers ?? {})) if (handler) handlers.set(kind as JobKind, handler);
  return handlers;
}
