import { defineConfig } from "vitest/config";
import { pinnedBinPath, pinnedVersions } from "./src/agents/agent-clis.js";

/**
 * Test files that need more than this process: a real agent CLI (pinned in agent-clis.json,
 * `npm run agents:install`), a PostgreSQL target (TEST_DATABASE_URL), the compiled build or
 * several processes. Everything else is the `unit` project (`npm run test:unit`): fakes, PGlite
 * in memory, well under a minute. A new file is a unit test unless it is listed here.
 */
const realClaude = [
  "test/claude/approvals.test.ts",
  "test/claude/cancel.test.ts",
  "test/claude/cli.test.ts",
  "test/claude/e2e.test.ts",
  "test/claude/kubectl.test.ts",
  "test/slack/real-agent-flow.test.ts",
  "test/slack/real-claude-budget.test.ts",
  "test/slack/real-claude-session.test.ts",
  "test/projects/pull-requests-real-claude.test.ts", // a run in a project's thread worktree → PR → CI verdicts
  "test/slack/real-claude-attachments.test.ts",
  "test/faults/replica-sessions.test.ts", // two replicas' config roots, the real claude CLI
];
const integration = [
  ...realClaude,
  "test/opencode/failures.test.ts", // real opencode serve
  "test/opencode/runs.test.ts", // real opencode serve
  "test/queue/queue.test.ts", // PostgreSQL too when TEST_DATABASE_URL is set
  "test/queue/thread-counts-race.test.ts", // several PostgreSQL connections at once
  "test/store/store.test.ts", // PostgreSQL too
  "test/store/upgrade.test.ts", // PostgreSQL too
  "test/worker/worker.test.ts", // PostgreSQL too
  "test/worker/multi-process.test.ts", // worker processes on PostgreSQL / PGlite
  "test/store/data-dir.test.ts", // processes holding the data directory's lock
  "test/worker/embedded-restart.test.ts", // the embedded database opened, crashed and reopened
  "test/store/embedded-postgres.test.ts", // the embedded PostgreSQL server, a killed owner process
  "test/cli/cli.test.ts", // the compiled bin/codethread.js, as users run it
  "test/cli/projects-cli.test.ts", // the compiled bin (secrets, project)
  "test/agents/replay-input.test.ts", // the compiled bin under a small heap
  "test/contract/runs.test.ts", // every provider's real CLI / server
  "test/contract/control.test.ts", // every provider's real CLI / server
  "test/process/agent-env-leak.test.ts", // real claude and opencode serve
  "test/process/parent-death.test.ts", // a real claude under a killed owner process
  "test/process/leftovers.test.ts", // processes left by a killed owner
  "test/process/spawn-helper.test.ts", // the spawn helper process, its children and its death
  "test/slack/nul-text.test.ts", // PostgreSQL too
  "test/store/credentials.test.ts", // PostgreSQL too
  "test/store/projects.test.ts", // PostgreSQL too
  "test/worker/pod-settings.test.ts", // the real claude CLI's availability
  "test/opencode/budget.test.ts", // real opencode serve
  "test/store/settings-costs.test.ts", // PostgreSQL too
  "test/console/browser.test.ts", // Debian's Chromium and the real claude CLI
  "test/console/history.test.ts", // PostgreSQL too
  "test/store/retry.test.ts", // PostgreSQL too
  "test/faults/run-outage.test.ts", // PostgreSQL through a TCP proxy too
  "test/faults/db-restart.test.ts", // two bot processes on PostgreSQL
  "test/faults/kill-replica.test.ts", // bot processes on PostgreSQL, the real claude CLI, kill -9
  "test/faults/rolling-update.test.ts", // bot processes on PostgreSQL, SIGTERM and a rolling update
];

/** initdb once (cached in node_modules/.cache); test files open migrated in-memory databases from its dump. */
const pgliteTemplate = "./test/support/pglite-template-setup.ts";

// The bot and `integration` run the first pinned Claude Code (the newest); every older pinned
// version still supported gets a project running the real-Claude tests against it.
const [, ...olderClaudes] = pinnedVersions("claude-code");

export default defineConfig({
  test: {
    // Real CLIs, servers and databases: generous per-test limits, no timing assertions.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: files run in parallel forks, tests inside a file in order.
    pool: "forks",
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: integration, globalSetup: [pgliteTemplate] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: integration,
          globalSetup: ["./test/support/build-once.ts", pgliteTemplate],
        },
      },
      ...olderClaudes.map((version) => ({
        extends: true as const,
        test: {
          name: `claude-${version}`,
          include: realClaude,
          env: { CLAUDE_BIN: pinnedBinPath("claude-code", version) },
          globalSetup: [pgliteTemplate],
        },
      })),
    ],
  },
});
