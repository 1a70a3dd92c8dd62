import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { messageOf } from "../errors.js";
import { silentLogger } from "../log.js";
import { NoMetrics } from "../ops/metrics.js";
import { sleep } from "../sleep.js";
import { ControlChannel, JobsChannel, parseControlPayload } from "../store/queue/channels.js";
import { claimJobs } from "../store/queue/claim.js";
import { type StoredControl, takeControls } from "../store/queue/controls.js";
import { type FinalStatus, finishJob, releaseJobs } from "../store/queue/finish.js";
import { jobsHeldBy } from "../store/queue/held.js";
import { extendLeases } from "../store/queue/lease.js";
import { reapExpiredLeases } from "../store/queue/reap.js";
import type { Job } from "../store/queue/types.js";
import { DefaultDbRetryMs, isTransientDbError, retryTransient } from "../store/retry.js";
import { DbHealth, observeHealth } from "./db-health.js";
import { ErrNoJobHandler } from "./errors.js";
import { FinishBatcher } from "./finish-batcher.js";
import type { JobOutcome } from "./handler.js";
import { recordOutcome } from "./record-outcome.js";
import { RunSlot } from "./run-slot.js";
import { buildHandlers, type WorkerOptions } from "./worker-options.js";

export interface Worker {
  readonly id: string;
  start(): Promise<void>;
  /**
   * Stop claiming, let running jobs finish for `graceMs`, then stop the rest and mark them
   * interrupted (the threads are told), so nothing stays `running` without an owner.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Ids of the jobs running in this worker now. */
  running(): string[];
}

export type { WorkerOptions } from "./worker-options.js";

/**
 * What a thread hears when its run was cut off by a crash, a kill or a shutdown. Never the
 * internal worker id (`host:pid:hex`): that stays in the job's `error` for operators.
 */
export const RestartedNotice = "the bot restarted";

/** Claims one worker has in flight at once (see wake()). */
const MaxClaimsInFlight = 2;

/** Default lease: a crashed process's runs are reported within lease + reap interval. */
export const DefaultLeaseMs = 30_000;

/** At stop, after the grace: how long aborted jobs get to end before they are marked interrupted. */
export const AbortWaitMs = 5_000;
/** At stop: how long writing "interrupted" for the jobs that ignored the abort may retry. */
export const InterruptWriteMs = 5_000;

/** Queue wait of a claimed job (enqueue → claim), both stamped by the database's clock. */
function waitedMs(job: Job): number {
  return job.startedAt ? job.startedAt.getTime() - job.createdAt.getTime() : 0;
}

export function createWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const log = (options.log ?? silentLogger).child({ workerId: id });
  const concurrency = options.concurrency ?? options.config?.runs.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? options.config?.runs.leaseMs ?? DefaultLeaseMs;
  const heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(leaseMs / 3));
  const pollMs = options.pollMs ?? 1_000;
  // Crash detection takes at most lease + this; 5 s keeps the default bound at 35 s.
  const reapMs = options.reapMs ?? Math.max(100, Math.min(5_000, Math.floor(leaseMs / 2)));
  const retry = { budgetMs: options.dbRetryMs ?? DefaultDbRetryMs, log };
  const metrics = options.metrics ?? NoMetrics;
  // The embedded database (PGlite, or the server this process started) serves this process only:
  // at start nobody else holds live leases in it. After an outage the reaper still waits a lease.
  const health = new DbHealth(options.db.kind === "postgres" ? Date.now() : Number.NEGATIVE_INFINITY);
  const db = observeHealth(options.db, health);
  // The outcomes of one event-loop turn go to the database in one statement.
  const finishes = new FinishBatcher(db, id);
  const handlers = buildHandlers({ ...options, db, dbRetryMs: retry.budgetMs }, log);
  const slots = new Map<string, RunSlot>();
  /** Ids of every started job until its outcome is recorded (slots drop a job as soon as its run is over). */
  const unfinished = new Set<string>();
  /** Jobs that ran here but whose outcome could not be written: never adopted (run) again. */
  const abandoned = new Set<string>();
  /** A claim failed on a dropped connection: it may have committed, so look for jobs we hold but never started. */
  let claimUncertain = false;
  /** Every started job until its outcome is recorded. */
  const pending = new Set<Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  const unlisteners: Array<() => Promise<void>> = [];
  let stopping = false;
  let started = false;
  /** Claim loops in flight (at most MaxClaimsInFlight), and the room their claims have taken. */
  const claims = new Set<Promise<void>>();
  let reserved = 0;
  let claimAgain = false;

  const background = (what: string, p: Promise<unknown>) => {
    p.catch((err: unknown) => log.warn({ err: messageOf(err) }, `${what} failed`));
  };

  async function tellInterrupted(job: Job, reason: string): Promise<void> {
    const handler = handlers.get(job.kind);
    if (handler?.interrupted)
      await handler
        .interrupted(job, reason)
        .catch((err: unknown) => log.warn({ jobId: job.id, err: messageOf(err) }, "interrupted notice failed"));
  }

  async function record(slot: RunSlot, outcome: JobOutcome): Promise<void> {
    const error = outcome.status === "failed" || outcome.status === "interrupted" ? outcome.error : undefined;
    const jobId = slot.job.id;
    const r = await recordOutcome(db, slot.job, id, outcome.status as FinalStatus, error, retry, (f) =>
      finishes.finish(f),
    );
    if (r.kind === "not_held") {
      log.warn({ jobId, status: outcome.status }, "job was no longer held; outcome not recorded");
    } else if (r.kind === "unreachable") {
      abandoned.add(jobId);
      log.error(
        { jobId, status: outcome.status, err: r.error },
        "could not record the outcome; the job will be reported interrupted once the database is back",
      );
    } else if (outcome.status === "interrupted") {
      await tellInterrupted(r.job, RestartedNotice);
    }
  }

  /** The handler's outcome; undefined when the lease was lost (the reaper reported the job). */
  async function runJob(slot: RunSlot): Promise<JobOutcome | undefined> {
    const { job } = slot;
    const handler = handlers.get(job.kind);
    let outcome: JobOutcome;
    try {
      if (!handler) throw new ErrNoJobHandler(job.kind, job.id, [...handlers.keys()]);
      outcome = await handler.run({
        job,
        workerId: id,
        signal: slot.signal,
        stopReason: () => slot.stopReason(),
        onPermission: (listener) => slot.onPermission(listener),
        log: log.child({ jobId: job.id }),
      });
    } catch (err) {
      log.warn({ jobId: job.id, err: messageOf(err) }, "job failed");
      outcome = { status: "failed", error: messageOf(err) };
    }
    return slot.stopReason()?.kind === "lease_lost" ? undefined : outcome;
  }

  function startJob(job: Job): void {
    // A claim and an adoption after an uncertain claim can both return a job this worker holds: start it once.
    if (unfinished.has(job.id)) return;
    const slot = new RunSlot(job);
    slots.set(job.id, slot);
    unfinished.add(job.id);
    const done: Promise<void> = (async () => {
      const outcome = await runJob(slot);
      // The run is over: its slot can take another thread's job while the outcome is written.
      slots.delete(job.id);
      wake();
      if (outcome) await record(slot, outcome);
    })()
      .catch((err: unknown) => log.error({ jobId: job.id, err: messageOf(err) }, "recording the job outcome failed"))
      .finally(() => {
        slots.delete(job.id);
        unfinished.delete(job.id);
        pending.delete(done);
        wake();
      });
    pending.add(done);
  }

  async function claimWhileRoom(): Promise<void> {
    try {
      if (claimUncertain && !stopping) {
        const held = await jobsHeldBy(db, id);
        for (const jobId of abandoned) if (!held.some((j) => j.id === jobId)) abandoned.delete(jobId);
        for (const job of held) {
          if (unfinished.has(job.id) || abandoned.has(job.id)) continue;
          log.warn({ jobId: job.id }, "adopting a job claimed on a connection that dropped");
          startJob(job);
        }
        claimUncertain = false;
      }
      do {
        claimAgain = false;
        const room = concurrency - slots.size - reserved;
        if (room <= 0 || stopping) break;
        reserved += room;
        let jobs: Job[];
        try {
          jobs = await claimJobs(db, id, room, leaseMs);
        } finally {
          reserved -= room;
        }
        if (stopping) {
          await releaseJobs(
            db,
            jobs.map((j) => j.id),
            id,
          );
          break;
        }
        for (const job of jobs) {
          metrics.jobClaimed(job.kind, waitedMs(job));
          startJob(job);
        }
        if (jobs.length === room) claimAgain = true;
      } while (claimAgain);
    } catch (err) {
      if (isTransientDbError(err)) claimUncertain = true;
      log.warn({ err: messageOf(err) }, "claim failed; retrying at the next poll");
    }
  }

  /**
   * Claim while there is room. Up to MaxClaimsInFlight claim loops at once, each for the room not yet taken by
   * the others: a claim waits for its commit, and with one at a time the claim loop, not the database, capped
   * throughput (slots freed during a claim waited for it). A wake that finds them all busy makes one loop again.
   */
  function wake(): void {
    if (stopping || !started) return;
    if (claims.size >= MaxClaimsInFlight || concurrency - slots.size - reserved <= 0) {
      claimAgain = true;
      return;
    }
    const loop: Promise<void> = claimWhileRoom().finally(() => {
      claims.delete(loop);
    });
    claims.add(loop);
  }

  async function dispatch(controls: StoredControl[]): Promise<void> {
    for (const { message } of controls) {
      const slot = slots.get(message.jobId);
      if (!slot) continue;
      if (message.type === "cancel") {
        log.info({ jobId: message.jobId, by: message.by }, "cancel requested");
        slot.stop({ kind: "cancel", by: message.by });
      } else {
        const listener = slot.permissionListener();
        if (listener) await listener(message.requestId, message.decision, message.by);
        else
          log.info(
            { jobId: message.jobId, requestId: message.requestId },
            "permission answer for a job that asked nothing",
          );
      }
    }
  }

  /** Renew the leases of running jobs; through an outage it keeps trying (reapers wait, see DbHealth). */
  async function heartbeat(): Promise<void> {
    // Jobs whose outcome is being written are renewed too, so a slow write never loses its lease.
    const ids = [...unfinished];
    if (!ids.length) return;
    // Back-off capped below the interval: after an outage the renewal lands within lease/3, well
    // before any reaper (which waits a full lease of contact) looks at it.
    const held = await retryTransient("renew leases", () => extendLeases(db, id, ids, leaseMs), {
      ...retry,
      maxDelayMs: Math.max(50, Math.min(2_000, Math.floor(heartbeatMs / 2))),
    });
    for (const jobId of ids) {
      if (!held.has(jobId) && slots.has(jobId)) {
        log.warn({ jobId }, "lease lost; stopping the run");
        slots.get(jobId)?.stop({ kind: "lease_lost" });
      }
    }
  }

  async function reap(): Promise<void> {
    // Right after an outage (or this process's start) live holders may not have renewed yet.
    if (health.stableForMs() < leaseMs) return;
    for (const job of await reapExpiredLeases(db)) {
      log.warn({ jobId: job.id, holder: job.holder, threadKey: job.threadKey }, "lease expired; job interrupted");
      await tellInterrupted(job, RestartedNotice);
    }
  }

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    unlisteners.push(await db.listen(JobsChannel, () => wake()));
    unlisteners.push(
      await db.listen(ControlChannel, (payload) => {
        const p = parseControlPayload(payload);
        if (!p || !slots.has(p.jobId)) return;
        background("control", takeControls(db, [p.jobId], [p.controlId]).then(dispatch));
      }),
    );
    const every = (ms: number, what: string, fn: () => Promise<void>) => {
      let busy = false;
      const t = setInterval(() => {
        if (busy) return;
        busy = true;
        background(
          what,
          fn().finally(() => (busy = false)),
        );
      }, ms);
      t.unref();
      timers.push(t);
    };
    every(heartbeatMs, "heartbeat", heartbeat);
    every(reapMs, "reap", reap);
    every(pollMs, "poll", async () => {
      wake();
      if (slots.size) await dispatch(await takeControls(db, [...slots.keys()]));
    });
    background("reap", reap());
    wake();
    log.info({ concurrency, leaseMs, reapMs, dbRetryMs: retry.budgetMs, database: db.describe() }, "worker started");
  }

  async function stop(o: { graceMs?: number } = {}): Promise<void> {
    if (!started || stopping) return;
    stopping = true;
    await Promise.all([...claims]); // a claim in flight puts back what it got
    const all = () => Promise.all([...pending]);
    await Promise.race([all(), sleep(o.graceMs ?? 30_000)]);
    if (slots.size) log.info({ jobs: [...slots.keys()] }, "grace period over; interrupting the jobs still running");
    for (const slot of slots.values()) slot.stop({ kind: "shutdown" });
    await Promise.race([all(), sleep(AbortWaitMs)]);
    // Handlers that ignored the abort: mark their jobs so nothing stays running without an owner.
    await Promise.all(
      [...slots.values()].map(async (slot) => {
        const finished = await retryTransient(
          "interrupt at shutdown",
          () => finishJob(db, slot.job.id, id, "interrupted", "the worker shut down"),
          { ...retry, budgetMs: Math.min(retry.budgetMs, InterruptWriteMs) },
        ).catch(() => undefined);
        if (finished) await tellInterrupted(finished, RestartedNotice);
      }),
    );
    for (const t of timers) clearInterval(t);
    for (const unlisten of unlisteners) await unlisten().catch(() => undefined);
    log.info("worker stopped");
  }

  return { id, start, stop, running: () => [...slots.keys()] };
}
