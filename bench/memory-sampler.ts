/**
 * A worker thread of bench/embedded.ts: samples the bot's tree memory every 100 ms and answers
 * "peak" with the largest RSS seen, so the synchronous /proc reads never block the bench's loop.
 */
import { parentPort, workerData } from "node:worker_threads";
import { memory, type TreeMemory } from "./process-memory.js";

const { root } = workerData as { root: number };
let peak: TreeMemory = { rss: 0, pss: 0, processes: 0 };
setInterval(() => {
  const m = memory(root);
  if (m.rss > peak.rss) peak = m;
}, 100);
parentPort?.on("message", () => parentPort?.postMessage(peak));
