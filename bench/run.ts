/**
 * `npm run bench [-- NAME…]`: runs the benchmarks (all, or the named ones) one after another,
 * each in its own process with the arguments its docs/BENCHMARKS.md section was recorded with.
 * The queue benchmark needs PostgreSQL: BENCH_DATABASE_URL (or TEST_DATABASE_URL).
 */
import { spawnSync } from "node:child_process";
import { resolveAgentCli } from "../src/agents/agent-clis.js";

/** Benchmarks on PostgreSQL create their databases on this server. */
const needsPostgres = () =>
  process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL
    ? undefined
    : "set BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test (a PostgreSQL it may create databases on)";

const benches: Record<string, { args: string[]; needs?: () => string | undefined }> = {
  "claude-parser": { args: ["--expose-gc", "--import", "tsx", "bench/claude-parser.ts", "16", "64", "256"] },
  queue: {
    args: ["--import", "tsx", "bench/queue.ts"],
    needs: needsPostgres,
  },
  "queue-backlog": {
    args: ["--import", "tsx", "bench/queue-backlog.ts", "200"],
    needs: needsPostgres,
  },
  slack: { args: ["--import", "tsx", "bench/slack.ts", "1000", "20"] },
  faults: {
    args: ["--import", "tsx", "bench/faults.ts", "2000", "30000"],
    needs: needsPostgres,
  },
  drain: {
    args: ["--import", "tsx", "bench/drain.ts", "3"],
    needs: () =>
      process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL
        ? undefined
        : "set BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test (a PostgreSQL it may create databases on)",
  },
  startup: {
    args: ["--import", "tsx", "bench/startup.ts", "15"],
    needs: () =>
      process.env.CLAUDE_BIN || resolveAgentCli("claude-code").source !== "path"
        ? undefined
        : "install the pinned claude CLI first: npm run agents:install",
  },
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !benches[n]);
if (unknown.length) {
  process.stderr.write(`Unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benches).join(", ")}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of names.length ? names : Object.keys(benches)) {
  const bench = benches[name]!;
  const missing = bench.needs?.();
  if (missing) {
    process.stdout.write(`\n== ${name}: skipped — ${missing}\n`);
    continue;
  }
  process.stdout.write(`\n== ${name}: node ${bench.args.join(" ")}\n`);
  const r = spawnSync(process.execPath, bench.args, { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
