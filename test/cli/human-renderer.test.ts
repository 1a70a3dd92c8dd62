import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { HumanRenderer } from "../../src/cli/commands/run.js";

function renderer() {
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (c: Buffer) => (text += c.toString("utf8")));
  return { r: new HumanRenderer({ stdout, stderr: new PassThrough() }), out: () => text };
}

describe("codethread run, human output", () => {
  it("joins streamed text chunks into lines and prints the answer once", () => {
    const { r, out } = renderer();
    for (const text of ["Let me ", "look."]) r.render({ type: "text", text });
    r.render({ type: "tool_use", id: "t1", tool: "bash", kind: "shell", input: {}, summary: "Ran ls" });
    for (const text of ["All ", "good", "."]) r.render({ type: "text", text });
    r.render({ type: "result", result: { outcome: "succeeded", text: "All good.", durationMs: 1200 } });
    expect(out()).toBe("Let me look.\n  → Ran ls\n\nAll good.\n\n— succeeded · 1.2 s\n");
  });

  it("shows narration written before the answer in the same turn", () => {
    const { r, out } = renderer();
    r.render({ type: "text", text: "Checked. " });
    r.render({ type: "text", text: "The build is green." });
    r.render({ type: "result", result: { outcome: "succeeded", text: "The build is green.", durationMs: 10 } });
    expect(out()).toBe("Checked.\n\nThe build is green.\n\n— succeeded · 0.0 s\n");
  });
});
