import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { messageOf } from "../errors.js";
import { silentLogger } from "../log.js";
import { sleep } from "../sleep.js";
import { ControlChannel, JobsChannel, parseControlPayload } from "../store/queue/channels.js";
import { claimJobs } from "../store/queue/claim.js";
import { type StoredControl, takeControls } from "../store/queue/controls.js";
import { type FinalStatus, finishJob, releaseJobs } from "../store/queue/finish.js";
import { extendLeases } from "../store/queue/lease.js";
import { reapExpiredLeases } from "../store/queue/reap.js";
import type { Job } from "../store/queue/types.js";
import { ErrNoJobHandler } from "./errors.js";
import type { JobOutcome } from "./handler.js";
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

export function createWorker(options: WorkerOptions): Worker {
  const db = options.db;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const log = (options.log ?? silentLogger).child({ workerId: id });
  const concurrency = options.concurrency ?? options.config?.runs.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(leaseMs / 3));
  const pollMs = options.pollMs ?? 1_000;
  const reapMs = options.reapMs ?? Math.max(100, Math.floor(leaseMs / 2));
  const handlers = buildHandlers(options, log);
  const slots = new Map<string, RunSlot>();
  /** Every started job until its outcome is recorded. */
  const pending = new Set<Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  const unlisteners: Array<() => Promise<void>> = [];
  let stopping = false;
  let started = false;
  let claiming: Promise<void> | undefined;
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
    const finished = await finishJob(db, slot.job.id, id, outcome.status as FinalStatus, error);
    if (!finished) {
      log.warn({ jobId: slot.job.id, status: outcome.status }, "job was no longer held; outcome not recorded");
      return;
    }
    if (outcome.status === "interrupted") await tellInterrupted(finished, outcome.error);
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
    const slot = new RunSlot(job);
    slots.set(job.id, slot);
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
        pending.delete(done);
        wake();
      });
    pending.add(done);
  }

  async function claimWhileRoom(): Promise<void> {
    try {
      do {
        claimAgain = false;
        const room = concurrency - slots.size;
        if (room <= 0 || stopping) break;
        const jobs = await claimJobs(db, id, room, leaseMs);
        if (stopping) {
          await releaseJobs(
            db,
            jobs.map((j) => j.id),
            id,
          );
          break;
        }
        for (const job of jobs) startJob(job);
        if (jobs.length === room) claimAgain = true;
      } while (claimAgain);
    } catch (err) {
      log.warn({ err: messageOf(err) }, "claim failed; retrying at the next poll");
    }
  }

  /** Claim while there is room; one claim loop at a time (a wake during it loops again). */
  function wake(): void {
    if (stopping || !started) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = claimWhileRoom().finally(() => {
      claiming = undefined;
    });
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

  async function heartbeat(): Promise<void> {
    const ids = [...slots.keys()];
    if (!ids.length) return;
    const held = await extendLeases(db, id, ids, leaseMs);
    for (const jobId of ids) {
      if (!held.has(jobId) && slots.has(jobId)) {
        log.warn({ jobId }, "lease lost; stopping the run");
        slots.get(jobId)?.stop({ kind: "lease_lost" });
      }
    }
  }

  async function reap(): Promise<void> {
    for (const job of await reapExpiredLeases(db)) {
      log.warn({ jobId: job.id, holder: job.holder, threadKey: job.threadKey }, "lease expired; job interrupted");
      await tellInterrupted(job, job.error ?? "its worker stopped");
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
    log.info({ concurrency, leaseMs, database: db.describe() }, "worker started");
  }

  async function stop(o: { graceMs?: number } = {}): Promise<void> {
    if (!started || stopping) return;
    stopping = true;
    await claiming; // a claim in flight puts back what it got
    const all = () => Promise.all([...pending]);
    await Promise.race([all(), sleep(o.graceMs ?? 30_000)]);
    for (const slot of slots.values()) slot.stop({ kind: "shutdown" });
    await Promise.race([all(), sleep(5_000)]);
    // Handlers that ignored the abort: mark their jobs so nothing stays running without an owner.
    for (const slot of [...slots.values()]) {
      const finished = await finishJob(db, slot.job.id, id, "interrupted", "the worker shut down").catch(
        () => undefined,
      );
      if (finished) await tellInterrupted(finished, "the worker shut down");
    }
    for (const t of timers) clearInterval(t);
    for (const unlisten of unlisteners) await unlisten().catch(() => undefined);
    log.info("worker stopped");
  }

  return { id, start, stop, running: () => [...slots.keys()] };
}
