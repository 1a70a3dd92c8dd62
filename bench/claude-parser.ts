/**
 * Claude Code stream parser throughput and memory.
 *
 *   node --expose-gc --import tsx bench/claude-parser.ts [sizeMB…]     (default: 16 64 256)
 *
 * Builds a transcript of the requested size from the real lines in test/fixtures/claude
 * (both CLI versions, repeated in order), feeds it in 64 KiB chunks through the same code a
 * live run uses (bounded line reader → zod schemas → AgentEvent mapper) and reports MB/s,
 * events/s and memory. The transcript is generated on the fly, so memory measures the parser,
 * not the input: it should stay flat as the transcript grows.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ClaudeStreamMapper } from "../src/agents/claude/stream-mapper.js";
import { readLines } from "../src/process/line-reader.js";

const dir = path.resolve("test/fixtures/claude");
const files = [
  ...readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => path.join(dir, f)),
  ...readdirSync(path.join(dir, "v2.1.197")).map((f) => path.join(dir, "v2.1.197", f)),
];
const lines = files.flatMap((f) =>
  readFileSync(f, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== ""),
);
const block = Buffer.from(`${lines.join("\n")}\n`, "utf8");

async function* transcript(totalBytes: number, chunkBytes = 64 * 1024): AsyncGenerator<Buffer> {
  let sent = 0;
  let offset = 0;
  while (sent < totalBytes) {
    const end = Math.min(offset + chunkBytes, block.length);
    const chunk = block.subarray(offset, end);
    offset = end === block.length ? 0 : end;
    sent += chunk.length;
    yield chunk;
  }
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

async function measure(sizeMB: number) {
  globalThis.gc?.();
  const mapper = new ClaudeStreamMapper({ cwd: "/home/dev/work" });
  let events = 0;
  let peakHeap = 0;
  let linesSeen = 0;
  const start = process.hrtime.bigint();
  for await (const item of readLines(transcript(sizeMB * 1024 * 1024))) {
    if (item.kind === "line") events += mapper.pushLine(item.text).length;
    if (++linesSeen % 5000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mem = process.memoryUsage();
  // What the parser still holds once the transcript is through (the mapper is alive here).
  globalThis.gc?.();
  const retained = process.memoryUsage().heapUsed;
  void mapper.summary();
  return {
    sizeMB,
    lines: linesSeen,
    events,
    seconds: seconds.toFixed(2),
    mbPerSec: (sizeMB / seconds).toFixed(1),
    eventsPerSec: Math.round(events / seconds),
    peakHeapMB: mb(Math.max(peakHeap, mem.heapUsed)),
    retainedHeapMB: globalThis.gc ? mb(retained) : "n/a (run with --expose-gc)",
    rssMB: mb(mem.rss),
  };
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
console.log(
  `transcript block: ${lines.length} real lines, ${(block.length / 1024).toFixed(0)} KiB, from ${files.length} files`,
);
console.log("size MB | lines | events | s | MB/s | events/s | peak heap MB | heap after GC MB | RSS MB");
for (const size of sizes.length ? sizes : [16, 64, 256]) {
  const r = await measure(size);
  console.log(
    [r.sizeMB, r.lines, r.events, r.seconds, r.mbPerSec, r.eventsPerSec, r.peakHeapMB, r.retainedHeapMB, r.rssMB].join(
      " | ",
    ),
  );
}
