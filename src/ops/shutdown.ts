import type { Logger } from "../log.js";
import { DefaultCloseGraceMs } from "../slack/publisher.js";
import { sleep } from "../sleep.js";
import { AbortWaitMs, InterruptWriteMs } from "../worker/worker.js";

/**
 * What a stop may take after CODETHREAD_STOP_GRACE: aborted jobs get AbortWaitMs to end, the ones that
 * ignored it are marked interrupted (InterruptWriteMs), final answers and notices still being delivered
 * get the publisher's close grace (and its 2 s settle), plus a few seconds to close agents and the database. A pod's
 * `terminationGracePeriodSeconds` must be at least grace + this (deploy/base/deployment.yaml; the
 * kustomize test checks it).
 */
export const ShutdownTailMs = AbortWaitMs + InterruptWriteMs + DefaultCloseGraceMs + 5_000;

export interface DrainSteps {
  /** Readiness fails from now on (the Service stops routing Slack requests here). */
  markDraining(): void;
  /** Stop claiming, let running jobs go on for the grace, interrupt the rest (their threads told). */
  stopWorker(graceMs: number): Promise<void>;
  /** Stop taking Slack requests (Bolt's HTTP server or Socket Mode connection, and the ops routes). */
  stopIntake(): Promise<void>;
  /** Flush deliveries, close agents and the database. */
  close(): Promise<void>;
}

/**
 * The order of a graceful stop (SIGTERM): unready at once, and the worker stops claiming (queued jobs
 * stay in the queue for the other replicas); Slack requests are still taken for `drainDelayMs`, while
 * load balancers notice; then intake stops. Running jobs get `graceMs` from the signal, the rest are
 * interrupted and their threads told; then everything closes.
 */
export async function drain(
  steps: DrainSteps,
  o: { graceMs: number; drainDelayMs: number; log: Logger },
): Promise<void> {
  steps.markDraining();
  o.log.info({ graceMs: o.graceMs, drainDelayMs: o.drainDelayMs }, "draining: unready, no new jobs claimed");
  const worker = steps.stopWorker(o.graceMs);
  // The wait is the work here: it keeps the process up even when nothing else would.
  if (o.drainDelayMs > 0) await sleep(o.drainDelayMs, undefined, { keepAlive: true });
  await steps.stopIntake().catch((err: unknown) => o.log.warn({ err }, "stopping the Slack app failed"));
  o.log.info("Slack intake stopped");
  await worker;
  await steps.close();
}
