/**
 * CLI start-up (docs/BENCHMARKS.md, "CLI start-up"), alternating A/B runs in one process:
 *  1. `codethread run --provider claude-code "hello"` vs the bare `claude -p` command line it
 *     spawns (same flags, the prompt on stdin, same environment), both against the mock Anthropic API of
 *     test/support: the difference is what codethread adds to a run;
 *  2. `codethread --help` vs `node -e 0`.
 * Each pair runs A and B back to back, in alternating order (AB, BA, AB…) so drift in the
 * machine's load hits both; the first pairs are a warm-up and not counted. Prints medians and
 * the median of the per-pair differences and ratios.
 *
 * Usage: node --import tsx bench/startup.ts [pairs=15] [--codethread BIN_JS] [--claude CLAUDE_BIN]
 *   --codethread  another checkout's bin/codethread.js (the "before" figures); default: this one's
 *   --claude      the claude binary; default: what codethread resolves (CLAUDE_BIN, .agents/, PATH)
 */
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { resolveAgentCli } from "../src/agents/agent-clis.js";
import { startMockAnthropic } from "../test/support/mock-anthropic.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { codethread: { type: "string" }, claude: { type: "string" } },
});
const pairs = Number(positionals[0] ?? 15);
const warmup = 2;
const codethreadBin = path.resolve(values.codethread ?? "bin/codethread.js");
const claudeBin = values.claude ?? resolveAgentCli("claude-code", process.env.CLAUDE_BIN).bin;

interface Command {
  bin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Written to stdin, which is then closed (otherwise it is closed at once). */
  stdin?: string;
}

/** Wall time from spawn to exit, output drained; a non-zero exit aborts the bench. */
function time(c: Command): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(c.bin, c.args, { cwd: c.cwd, env: c.env, stdio: "pipe", shell: false });
    child.stdin.end(c.stdin ?? "");
    let err = "";
    child.stdout.resume();
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - t;
      if (code === 0) resolve(ms);
      else reject(new Error(`${c.bin} ${c.args.join(" ")} exited with ${code}: ${err.slice(0, 500)}`));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function alternate(name: string, a: () => Command, b: () => Command, n: number): Promise<void> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    let ta: number;
    let tb: number;
    if (i % 2 === 0) {
      ta = await time(a());
      tb = await time(b());
    } else {
      tb = await time(b());
      ta = await time(a());
    }
    if (i < warmup) continue;
    as.push(ta);
    bs.push(tb);
  }
  const diffs = as.map((v, i) => v - bs[i]!);
  const ratios = as.map((v, i) => v / bs[i]!);
  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(
    `${name.padEnd(44)} A median ${f(median(as))} (min ${f(Math.min(...as))})  B median ${f(median(bs))} (min ${f(Math.min(...bs))})` +
      `  A−B per pair: median ${f(median(diffs))}  A/B: median ×${median(ratios).toFixed(2)}  (${n} pairs)`,
  );
}

if (!values.codethread) {
  // This checkout's bin runs dist/: build it from the sources being measured (incremental).
  const build = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(1);
}
const root = mkdtempSync(path.join(tmpdir(), "ct-bench-startup-"));
const home = path.join(root, "home");
const cwd = path.join(root, "work");
const configDir = path.join(root, "claude-config");
for (const d of [home, cwd, configDir]) mkdirSync(d, { recursive: true });
const mock = await startMockAnthropic();
const base: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: home,
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: "bench-key-not-secret",
  CLAUDE_CODE_MAX_RETRIES: "0",
};
const tools = ["Bash", "Read", "Write", "Edit", "Glob", "Grep"];
try {
  console.log(
    `node ${process.version}, ${codethreadBin}, claude ${claudeBin}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  await alternate(
    "run: A codethread run, B bare claude -p",
    () => ({
      bin: process.execPath,
      args: [codethreadBin, "run", "--provider", "claude-code", "--cwd", cwd, "hello"],
      cwd,
      env: {
        ...base,
        CODETHREAD_PROVIDERS: "claude-code",
        CODETHREAD_DATA_DIR: path.join(root, "data"),
        CLAUDE_BIN: claudeBin,
        CLAUDE_CONFIG_ROOT: configDir,
      },
    }),
    () => ({
      bin: claudeBin,
      // What codethread spawns for that run (the prompt on stdin); --allowedTools is variadic, so it goes last.
      args: [
        "-p",
        "--input-format",
        "stream-json",
        "--output-format",
        "stream-json",
        "--verbose",
        "--session-id",
        randomUUID(),
        "--allowedTools",
        ...tools,
      ],
      cwd,
      stdin: `${JSON.stringify({ type: "user", message: { role: "user", content: "hello" }, parent_tool_use_id: null, session_id: "" })}\n`,
      env: {
        ...base,
        CLAUDE_CONFIG_DIR: path.join(configDir, "bare"),
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
    }),
    pairs,
  );
  await alternate(
    "help: A codethread --help, B node -e 0",
    () => ({ bin: process.execPath, args: [codethreadBin, "--help"], cwd, env: base }),
    () => ({ bin: process.execPath, args: ["-e", "0"], cwd, env: base }),
    pairs * 2,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} finally {
  await mock.close();
  rmSync(root, { recursive: true, force: true });
}
