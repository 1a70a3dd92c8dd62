/**
 * One whole codethread bot for the fault suite, as `codethread start` runs it: the real app (Bolt in
 * HTTP mode on 127.0.0.1:0, queue, worker, Slack publisher) configured from the environment — its
 * own CODETHREAD_DATA_DIR, DATABASE_URL (through the test's TCP proxy), SLACK_API_URL (the test's
 * fake Slack). Started by bot-processes.ts:
 *
 *   BOT_AGENT=scripted  the scripted TestAgent (JSON prompts); each run's start and end is appended to
 *                       BOT_RUN_LOG (a file: the database may be away) as one JSON line
 *   BOT_AGENT=config    the providers of CODETHREAD_PROVIDERS, e.g. the real claude CLI (CLAUDE_BIN,
 *                       ANTHROPIC_BASE_URL of the mock LLM)
 *
 * Prints `ready <events url>` once Slack requests are taken; SIGTERM drains it like `codethread start`
 * (CODETHREAD_STOP_GRACE, CODETHREAD_DRAIN_DELAY; a 1 s grace when unset) and it exits when everything
 * is closed — exit code 0, no process.exit, so a handle left open shows as a bot that never exits.
 */
import { appendFileSync } from "node:fs";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { type AppOverrides, startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { TestAgent } from "./test-agent.js";

const env = process.env;
const config = loadConfig(env);
const log = createLogger({ level: config.log.level, format: "json" });
const runLog = env.BOT_RUN_LOG;
const note = (entry: Record<string, unknown>) => {
  if (runLog) appendFileSync(runLog, `${JSON.stringify({ ...entry, pid: process.pid, at: Date.now() })}\n`);
};

const overrides: AppOverrides = {
  worker: { pollMs: 200 },
  progress: { cardIntervalMs: 100, updatesPerMinute: 600, burst: 20 },
  stopGraceMs: env.CODETHREAD_STOP_GRACE ? undefined : 1_000,
};
if (env.BOT_AGENT === "scripted") {
  overrides.registry = new ProviderRegistry().register(
    new TestAgent("test-agent", {
      onStart: (request) => note({ what: "start", jobId: request.runId }),
      onEnd: (request, outcome) => note({ what: "end", jobId: request.runId, outcome }),
    }),
  );
}

const app = await startApp(config, log, overrides);
process.once("SIGTERM", () => {
  app.stop().then(
    () => {
      process.exitCode = 0;
    },
    (err: unknown) => {
      log.error({ err }, "stop failed");
      process.exit(1);
    },
  );
});
process.stdout.write(`ready ${app.url}\n`);
