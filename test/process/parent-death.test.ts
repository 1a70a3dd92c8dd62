import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawnProcess } from "../../src/process/spawn.js";
import { eventually, processesMentioning } from "../claude/processes.js";
import { type MockAnthropic, startMockAnthropic } from "../support/mock-anthropic.js";

/**
 * Issue 10: an agent must die with the process that started it. The "bot" is a separate node
 * process (test/support/agent-owner.ts) using the real process seam; the test SIGKILLs it and
 * waits (polling with a deadline) until nothing of the agent's tree is left.
 */
const owners: ChildProcess[] = [];
let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "ct-parent-death-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  for (const o of owners.splice(0)) o.kill("SIGKILL");
});

/** A unique `sleep` duration, so this test's processes are told apart from anyone else's. */
const uniqueSecs = () => String(7_000 + Math.floor(Math.random() * 90_000));

/** How the owner starts its agents: as `codethread run` (directly) or as `codethread start` (the spawn helper). */
type Via = "directly" | "from the spawn helper";
const ways: Via[] = ["directly", "from the spawn helper"];

/** Start the owner and wait for a stdout line matching `ready`. */
async function startOwner(
  args: string[],
  ready: RegExp,
  via: Via,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/agent-owner.ts", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OWNER_SPAWN_HELPER: via === "from the spawn helper" ? "1" : "0" },
  });
  owners.push(child);
  let out = "";
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
      // The agent ended before it was ready (a missing binary, a refused tool): fail now, with what it said.
      else if (/^result /m.test(out)) reject(new Error(`the agent ended before it was ready: ${out}`));
    });
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => reject(new Error(`owner exited with ${code}: ${out}`)));
  });
  return { child, match };
}

async function crash(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

const sleeps = (secs: string) => processesMentioning(`sleep ${secs}`);

describe("an agent dies with the process that started it", () => {
  it.each(ways)(
    "kill -9 of the owner, agents started %s: the watchdog stops the whole tree, even processes ignoring SIGTERM",
    async (via) => {
      const secs = uniqueSecs();
      const { child, match } = await startOwner(["tree", secs, "", "1"], /ready (\d+)/, via);
      const rootPid = match[1];
      expect(sleeps(secs).length).toBeGreaterThanOrEqual(2);
      expect(processesMentioning(`codethread-watchdog ${rootPid} `)).toHaveLength(1);
      await crash(child);
      expect(await eventually(() => sleeps(secs).length === 0, 30_000)).toBe(true);
      expect(await eventually(() => processesMentioning(`codethread-watchdog ${rootPid} `).length === 0)).toBe(true);
    },
  );

  it("a process that ends normally takes its watchdog and its record with it, killing nothing", async () => {
    const dir = path.join(root, "normal");
    const marker = path.join(root, "normal-survivor");
    const secs = uniqueSecs();
    // The child leaves a detached sleep behind on purpose: only the owner's cleanup may stop it.
    const proc = spawnProcess({
      bin: "sh",
      args: ["-c", `setsid sleep ${secs} & echo started > "$1"`, "sh", marker],
      detached: true,
      dieWithParent: true,
      recordDir: dir,
    });
    const pid = proc.pid as number;
    expect(processesMentioning(`codethread-watchdog ${pid} `)).toHaveLength(1);
    expect((await proc.exited).code).toBe(0);
    expect(await eventually(() => processesMentioning(`codethread-watchdog ${pid} `).length === 0)).toBe(true);
    expect(await eventually(() => !existsSync(path.join(dir, `${pid}.json`)))).toBe(true);
    expect(sleeps(secs)).toHaveLength(1); // released, not fired
    for (const line of sleeps(secs)) process.kill(Number(line.split(":")[0]), "SIGKILL");
  });

  describe("the real claude CLI", () => {
    let mock: MockAnthropic;
    beforeAll(async () => {
      mock = await startMockAnthropic();
    });
    afterAll(async () => {
      await mock?.close();
    });

    it.each(ways)(
      "kill -9 of the bot mid-tool, claude started %s: claude, its Bash tool and the tool's command all stop",
      async (via) => {
        const secs = uniqueSecs();
        const sb = path.join(root, `claude-${via.replaceAll(" ", "-")}`);
        for (const d of ["home", "work", "claude-config"]) mkdirSync(path.join(sb, d), { recursive: true });
        const { child } = await startOwner(["claude", mock.url, sb, secs], /^tool$/m, via);
        expect(await eventually(() => sleeps(secs).length > 0, 30_000)).toBe(true);
        const records = readdirSync(path.join(sb, "processes"));
        expect(records).toHaveLength(1); // the run is recorded, under the CLI's pid
        const pid = Number.parseInt(records[0] ?? "", 10);
        const claude = () => processesMentioning("--session-id").filter((l) => l.startsWith(`${pid}:`));
        expect(claude().length).toBeGreaterThan(0);
        await crash(child);
        expect(await eventually(() => sleeps(secs).length === 0 && claude().length === 0, 30_000)).toBe(true);
      },
    );
  });
});
