import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import { providers } from "../../src/agents/providers.js";
import { replayCommand } from "../../src/cli/commands/replay.js";

/** A complete recorded run of each provider, with a tool use. */
const Fixtures: Record<string, string> = {
  "claude-code": "test/fixtures/claude/tool_bash.jsonl",
  opencode: "test/fixtures/opencode/03-sync-bash-tool.event.sse",
};

const dir = mkdtempSync(path.join(tmpdir(), "ct-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

async function replay(provider: string, file: string, json = true) {
  const out = sink();
  const err = sink();
  const code = await replayCommand(["--provider", provider, ...(json ? ["--json"] : []), file], {
    stdout: out.stream,
    stderr: err.stream,
  });
  const events = json
    ? out
        .text()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AgentEvent)
    : [];
  return { code, out: out.text(), err: err.text(), events };
}

/** Bytes that are no text format: every byte value, newlines and terminal escapes included (fixed seed). */
function binary(size: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = 0x2545f491;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return Buffer.concat([Buffer.from("\u001b]0;pwned\u0007\u001b[2J\n"), buf]);
}

/** Printable text only: no escape sequences or other control characters reached the terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
const Printable = /^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$/;

describe.each(providers.map((p) => [p.id, p] as const))(
  "codethread replay of what is not a transcript [%s]",
  (id, p) => {
    const fixture = Fixtures[id];

    it("has a recorded run to test with", () => {
      expect(fixture, `add a complete ${id} transcript to Fixtures`).toBeDefined();
    });

    it("a complete transcript replays, exit 0, one result last", async () => {
      const r = await replay(id, path.resolve(fixture!));
      expect(r.code).toBe(0);
      expect(r.events.at(-1)?.type).toBe("result");
      expect(r.events.filter((e) => e.type === "tool_use")).toEqual([expect.objectContaining({ kind: "shell" })]);
    });

    it("a truncated transcript: the events it holds, then 'incomplete', exit 1, no made-up result", async () => {
      const whole = readFileSync(fixture!);
      const file = write(`${id}-truncated`, whole.subarray(0, Math.floor(whole.length * 0.6)));
      const r = await replay(id, file);
      expect(r.code).toBe(1);
      expect(r.events[0]?.type).toBe("session_started");
      expect(r.events.filter((e) => e.type === "result")).toEqual([]);
      expect(r.err).toContain(`The ${p.title} transcript is incomplete`);
      expect(r.err).not.toMatch(/succeeded|exited with code/);
      const human = await replay(id, file, false);
      expect(human.code).toBe(1);
      expect(human.out).not.toMatch(/— (succeeded|failed)/);
    });

    it("a binary file: 'not a transcript', exit 1, nothing of it echoed", async () => {
      const file = write(`${id}-binary`, binary(256 * 1024));
      for (const json of [true, false]) {
        const r = await replay(id, file, json);
        expect(r.code).toBe(1);
        expect(r.out).toBe("");
        expect(r.err).toContain(`This is not a ${p.title} transcript`);
        expect(r.err).toMatch(Printable);
        expect(r.err.length).toBeLessThan(600);
      }
    });

    it("another provider's transcript is not this provider's", async () => {
      const other = Object.entries(Fixtures).find(([k]) => k !== id)?.[1];
      const r = await replay(id, path.resolve(other!));
      expect(r.code).toBe(1);
      expect(r.err).toContain(`This is not a ${p.title} transcript`);
    });

    it("an empty file is not a transcript either", async () => {
      const r = await replay(id, write(`${id}-empty`, ""));
      expect(r.code).toBe(1);
      expect(r.err).toContain(`This is not a ${p.title} transcript`);
    });

    it("a 50 MB one-line file: skipped at the line bound, 'not a transcript', exit 1, in bounded memory", () => {
      // The line looks like the provider's format, so only the bound stops it.
      const head =
        id === "opencode" ? 'data: {"type":"message.part.delta","properties":{"delta":"' : '{"type":"assistant","x":"';
      const file = write(`${id}-huge`, `${head}${"x".repeat(50 * 1024 * 1024)}"}}`);
      // A heap smaller than the line: reading the line whole (as readline did) runs out of memory.
      const r = spawnSync(
        process.execPath,
        ["--max-old-space-size=48", path.resolve("bin/codethread.js"), "replay", "--provider", id, file],
        { encoding: "utf8", timeout: 120_000 },
      );
      expect(r.stderr).toContain("warning: skipped a line of 50 MiB (the limit is 16 MiB)");
      expect(r.stderr).toContain(`This is not a ${p.title} transcript`);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      rmSync(file);
    });
  },
);
