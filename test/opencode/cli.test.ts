import { readdirSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { replayCommand } from "../../src/cli/commands/replay.js";

const dir = path.resolve("test/fixtures/opencode");

function buffer(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("codethread replay --provider opencode", () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith(".sse")))("%s replays without an error", async (file) => {
    const out = buffer();
    const err = buffer();
    const code = await replayCommand(["--provider", "opencode", "--json", path.join(dir, file)], {
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(err.text()).toBe("");
    expect(code).toBe(0);
    const lines = out.text().trim().split("\n");
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: "result" });
  });
});
