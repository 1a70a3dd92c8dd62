/**
 * A stand-in for the bot in parent-death tests: a separate node process that starts an agent
 * (or a tool-like process tree) through the real process seam, says so on stdout, and then
 * idles until the test SIGKILLs it — the crash under test.
 *
 *   tree SECS RECORD_DIR WATCH   sh whose tree has two `sleep SECS` (one in its own session, as the
 *                                Bash tool's), both ignoring SIGINT and SIGTERM; prints `ready PID`
 *   claude MOCK_URL ROOT SECS    the real claude CLI running MOCK:longbash=SECS; prints `tool` at its tool use
 *
 * With OWNER_SPAWN_HELPER=1 the owner starts its agents from the spawn helper, as `codethread start` does.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { createClaudeCodeAgent } from "../../src/agents/claude/index.js";
import { useSpawnHelper } from "../../src/process/spawn.js";
import { agentCliForTests } from "./agent-clis.js";

const [mode, ...args] = process.argv.slice(2);
setInterval(() => {}, 60_000); // stay alive until killed
const offLoop = process.env.OWNER_SPAWN_HELPER === "1";
if (offLoop) useSpawnHelper();

if (mode === "tree") {
  const [secs, recordDir, watch] = args as [string, string, string];
  const { listProcesses, processTree } = await import("../../src/process/process-table.js");
  const { spawnProcess } = await import("../../src/process/spawn.js");
  const proc = spawnProcess({
    bin: "sh",
    args: ["-c", `trap '' INT TERM; setsid sleep ${secs} & sleep ${secs} & wait`],
    stdout: "ignore",
    stderr: "ignore",
    detached: true,
    dieWithParent: watch === "1",
    recordDir: recordDir || undefined,
    offLoop,
  });
  const pid = (await proc.started) as number;
  const waitForSleeps = async () => {
    for (;;) {
      const tree = processTree(pid, await listProcesses());
      const sleeps = tree.filter((p) => p.pid !== pid);
      if (sleeps.length >= 2) {
        // Tell the watch and the record about the tool-like group, as the claude runner does.
        proc.trackGroups(tree.filter((p) => p.pid === p.pgid));
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const recorded = async () => {
    while (recordDir && !existsSync(path.join(recordDir, `${pid}.json`))) await new Promise((r) => setTimeout(r, 50));
  };
  void waitForSleeps()
    .then(recorded)
    .then(() => process.stdout.write(`ready ${pid}\n`));
} else if (mode === "claude") {
  const [mockUrl, root, secs] = args as [string, string, string];
  const agent = createClaudeCodeAgent({
    bin: agentCliForTests("claude-code"),
    configRoot: path.join(root, "claude-config"),
    kubectlBin: "kubectl",
    defaultPermissions: { mode: "allow-tools", tools: ["Bash"] },
    sandbox: false,
    env: {
      HOME: path.join(root, "home"),
      ANTHROPIC_BASE_URL: mockUrl,
      ANTHROPIC_API_KEY: "test-key-not-secret",
      CLAUDE_CODE_MAX_RETRIES: "0",
    },
    processDir: path.join(root, "processes"),
  });
  void (async () => {
    const events = agent.execute({
      runId: "owner-run",
      prompt: `MOCK:longbash=${secs} please`,
      workspace: { kind: "local", directory: path.join(root, "work") },
      timeoutMs: 600_000,
    });
    for await (const e of events) {
      if (e.type === "tool_use") process.stdout.write("tool\n");
      if (e.type === "result") process.stdout.write(`result ${e.result.outcome}\n`);
    }
  })();
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
