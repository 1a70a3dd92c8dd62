import { existsSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { describe, expect, it } from "vitest";
import { runToEnd } from "../../src/process/capture.js";
import { spawnProcess } from "../../src/process/spawn.js";

describe("the process seam", () => {
  it("starts argv without a shell: metacharacters in an argument stay text", async () => {
    const { exit, stdout } = await runToEnd({ bin: "printf", args: ["%s", "a; echo injected $(id) `id` | cat"] });
    expect(exit.code).toBe(0);
    expect(stdout).toBe("a; echo injected $(id) `id` | cat");
  });

  it("every child gets its environment from childEnv: the bot's secrets stay out, set values go in", async () => {
    const saved = process.env.SLACK_BOT_TOKEN;
    process.env.SLACK_BOT_TOKEN = "seam-test-value";
    try {
      const { stdout } = await runToEnd({ bin: "sh", args: ["-c", "env"], env: { GIVEN: "yes" }, unsetEnv: ["TZ"] });
      expect(stdout).toContain("PATH=");
      expect(stdout).toContain("GIVEN=yes");
      expect(stdout).not.toContain("seam-test-value");
    } finally {
      if (saved === undefined) delete process.env.SLACK_BOT_TOKEN;
      else process.env.SLACK_BOT_TOKEN = saved;
    }
  });

  it("keeps a bounded part of the output and says it was cut", async () => {
    const r = await runToEnd({ bin: "sh", args: ["-c", "yes x | head -c 100000"] }, { maxBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
  });

  it("kills a command that outlives its timeout", async () => {
    const r = await runToEnd({ bin: "sleep", args: ["60"] }, { timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, exit: { signal: "SIGKILL" } });
  });

  it("starts a child at a lower CPU priority when asked, and its own children inherit it", async () => {
    // The shell waits for a line before it runs `nice` (which prints its niceness): the priority is set by then.
    const proc = spawnProcess({ bin: "sh", args: ["-c", "read line; nice"], stdin: "pipe", niceness: 5 });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    proc.stdin?.end("go\n");
    expect(await proc.exited).toMatchObject({ code: 0 });
    expect(Number(out.trim())).toBe(Math.min(19, getPriority() + 5));
  });

  // Linux's autogroup scheduling shares the CPU between sessions first: an agent leads its own session,
  // so only the session's nice value keeps twenty agents from outweighing the bot.
  it.skipIf(!existsSync("/proc/self/autogroup"))(
    "lowers a session-leading child's whole session (autogroup), never the bot's own",
    async () => {
      const niceOf = (pid: number | "self") =>
        Number(/nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"))?.[1]);
      const ours = niceOf("self");
      const leader = spawnProcess({ bin: "sh", args: ["-c", "read line"], stdin: "pipe", detached: true, niceness: 5 });
      const member = spawnProcess({ bin: "sh", args: ["-c", "read line"], stdin: "pipe", niceness: 5 });
      try {
        expect(niceOf(leader.pid as number)).toBe(Math.min(19, getPriority() + 5));
        expect(niceOf(member.pid as number)).toBe(ours);
        expect(niceOf("self")).toBe(ours);
      } finally {
        leader.stdin?.end("go\n");
        member.stdin?.end("go\n");
        await Promise.all([leader.exited, member.exited]);
      }
    },
  );

  it("a missing binary is an exit with ENOENT, not a throw", async () => {
    const proc = spawnProcess({ bin: "/nonexistent/tool", args: [] });
    expect(await proc.exited).toMatchObject({ code: null, signal: null, error: { code: "ENOENT" } });
    expect(proc.kill("SIGTERM")).toBe(false);
  });
});
