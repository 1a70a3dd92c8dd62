/**
 * A worker thread of bench/embedded.ts: samples the bot's tree memory every 500 ms and answers
 * "peak" with the largest RSS seen, so the synchronous /proc reads never block the bench's loop.
 * Not more often: a sample reads every process's /proc entries and the tree's smaps_rollup, tens of
 * milliseconds of system time on one of the two cores the bot shares (docs/BENCHMARKS.md, "Embedded
 * default", run 9); the memory of twenty runs peaks for seconds, not for 100 ms.
 */
import { parentPort, workerData } from "node:worker_threads";
import { memory, type TreeMemory } from "./process-memory.js";

const { root } = workerData as { root: number };
let peak: TreeMemory = { rss: 0, pss: 0, processes: 0 };
setInterval(() => {
  const m = memory(root);
  if (m.rss > peak.rss) peak = m;
}, 500);
parentPort?.on("message", () => parentPort?.postMessage(peak));
