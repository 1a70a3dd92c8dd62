import { getPriority } from "node:os";
import type { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { ErrSpawnHelperGone, SpawnHelper } from "../../src/process/spawner/spawn-helper.js";
import { eventually, processesMentioning } from "../claude/processes.js";

/**
 * The spawn helper (src/process/spawner/): processes the bot starts from a small helper process
 * behave as directly spawned ones — output, input, exit, signals, priority — and its own end is
 * never silent.
 */
const helper = new SpawnHelper();
afterAll(() => helper.close());

function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on("data", (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => stream.once("end", () => resolve(Buffer.concat(chunks))));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("processes started from the spawn helper", () => {
  it("deliver all of their output, even several megabytes written at once, and then their exit", async () => {
    const proc = helper.spawn({
      bin: "sh",
      args: ["-c", "head -c 3000000 /dev/zero | tr '\\0' x; echo done >&2; exit 3"],
    });
    const [out, err] = await Promise.all([collect(proc.stdout), collect(proc.stderr)]);
    expect(await proc.exited).toMatchObject({ code: 3, signal: null });
    expect(out.length).toBe(3_000_000);
    expect(out.every((b) => b === 0x78)).toBe(true);
    expect(err.toString()).toBe("done\n");
    expect(await proc.started).toBeGreaterThan(1);
    expect(proc.pid).toBe(await proc.started);
  });

  it("take their stdin from the bot, with back-pressure, and read slowly without losing bytes", async () => {
    const proc = helper.spawn({ bin: "cat", args: [], stdin: "pipe" });
    const input = Buffer.alloc(2_000_000);
    for (let i = 0; i < input.length; i++) input[i] = i % 251;
    // A slow reader (one chunk per turn of the event loop): the bot's stream fills, the helper is told to
    // pause and resume, and no byte may be dropped or reordered on the way.
    const read = (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of proc.stdout) {
        chunks.push(chunk as Buffer);
        await new Promise((r) => setImmediate(r));
      }
      return Buffer.concat(chunks);
    })();
    proc.stdin?.end(input);
    expect((await read).equals(input)).toBe(true);
    expect(await proc.exited).toMatchObject({ code: 0 });
  });

  it("get the lower CPU priority they ask for, set before they run", async () => {
    const proc = helper.spawn({ bin: "sh", args: ["-c", "read line; nice"], stdin: "pipe", niceness: 5 });
    const out = collect(proc.stdout);
    proc.stdin?.end("go\n");
    expect(await proc.exited).toMatchObject({ code: 0 });
    expect(Number((await out).toString().trim())).toBe(Math.min(19, getPriority() + 5));
  });

  it("are signalled by kill, which is refused once they have exited", async () => {
    const proc = helper.spawn({
      bin: "sh",
      args: ["-c", "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 1; done"],
    });
    let out = "";
    const ready = new Promise<void>((resolve) =>
      proc.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready")) resolve();
      }),
    );
    await ready;
    expect(proc.kill("SIGTERM")).toBe(true);
    expect(await proc.exited).toMatchObject({ code: 7 });
    expect(out).toContain("got TERM");
    expect(proc.kill("SIGTERM")).toBe(false);
  });

  it("a missing binary is an exit with ENOENT and no pid, as with a direct spawn", async () => {
    const proc = helper.spawn({ bin: "/nonexistent/tool", args: [], stdin: "pipe" });
    expect(await proc.exited).toMatchObject({ code: null, signal: null, error: { code: "ENOENT" } });
    expect(await proc.started).toBeUndefined();
    expect((await collect(proc.stdout)).length).toBe(0);
    expect(proc.kill("SIGTERM")).toBe(false);
  });

  it("a signal meant for the bot (SIGINT, SIGTERM) leaves the helper running", async () => {
    const before = helper.helperPid as number;
    helper.warm();
    process.kill(before, "SIGINT");
    process.kill(before, "SIGTERM");
    const proc = helper.spawn({ bin: "sh", args: ["-c", "echo still"] });
    expect((await collect(proc.stdout)).toString()).toBe("still\n");
    expect(helper.helperPid).toBe(before);
  });

  it("the helper's own death ends its runs with a named error, their watchdogs stop them, the next spawn works", async () => {
    const own = new SpawnHelper();
    try {
      const secs = String(7_000 + Math.floor(Math.random() * 90_000));
      const proc = own.spawn({
        bin: "sh",
        args: ["-c", `echo up; sleep ${secs}; true`],
        detached: true,
        dieWithParent: true,
      });
      await new Promise<void>((resolve) => proc.stdout.once("data", () => resolve()));
      const pid = (await proc.started) as number;
      expect(processesMentioning(`codethread-watchdog ${pid} `)).toHaveLength(1);
      process.kill(own.helperPid as number, "SIGKILL");
      const exit = await proc.exited;
      expect(exit.error).toMatchObject({ code: new ErrSpawnHelperGone("x").code });
      expect(exit.error?.message).toContain("signal SIGKILL");
      expect(await eventually(() => !alive(pid) && processesMentioning(`sleep ${secs}`).length === 0, 30_000)).toBe(
        true,
      );
      const next = own.spawn({ bin: "sh", args: ["-c", "echo again"] });
      expect((await collect(next.stdout)).toString()).toBe("again\n");
      expect(await next.exited).toMatchObject({ code: 0 });
    } finally {
      own.close();
    }
  });
});
