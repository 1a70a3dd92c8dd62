import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClaudeCodeAgent } from "../../src/agents/claude/index.js";
import { collect, makeSandbox, ofType, request, type Sandbox } from "./harness.js";

/**
 * A CLI that misbehaves — garbage, an endless line, an immediate exit — cannot be produced by the
 * real one on demand, so these tests use small stand-in scripts.
 */
let sb: Sandbox;
beforeEach(() => {
  sb = makeSandbox();
});
afterEach(() => sb.cleanup());

function standIn(body: string) {
  const bin = path.join(sb.root, "fake-claude.sh");
  writeFileSync(bin, `#!/bin/sh\n${body}\n`);
  chmodSync(bin, 0o755);
  return createClaudeCodeAgent({
    bin,
    configRoot: sb.configRoot,
    kubectlBin: "kubectl",
    defaultPermissions: { mode: "default" },
    sandbox: false,
    maxLineBytes: 64 * 1024,
  });
}

describe("a misbehaving CLI ends the run with a failed result, never a throw", () => {
  it("garbage output", async () => {
    const agent = standIn('echo "Segmentation fault (core dumped)"; echo "{not json"; echo "[1,2]"; exit 0');
    const { result } = await collect(agent.execute(request(sb, "hello")));
    expect(result).toMatchObject({ outcome: "failed", errorCode: "agent_protocol" });
    expect(result.error).toMatch(/Segmentation fault/);
  });

  it("an immediate exit with a message on stderr", async () => {
    const agent = standIn('echo "Error: something broke at startup" >&2; exit 3');
    const { result } = await collect(agent.execute(request(sb, "hello")));
    expect(result).toMatchObject({ outcome: "failed", errorCode: "agent_protocol" });
    expect(result.error).toMatch(/code 3.*something broke at startup/);
  });

  it("a huge line becomes an error event; the run goes on to its result", async () => {
    const agent = standIn(
      [
        `echo '{"type":"system","subtype":"init","session_id":"s-1","model":"m"}'`,
        "head -c 3000000 /dev/zero | tr '\\0' 'x'; echo",
        `echo '{"type":"result","subtype":"success","is_error":false,"result":"fine","session_id":"s-1"}'`,
      ].join("\n"),
    );
    const { events, result } = await collect(agent.execute(request(sb, "hello")));
    expect(ofType(events, "error")).toEqual([expect.objectContaining({ code: "line_too_long" })]);
    expect(result).toMatchObject({ outcome: "succeeded", text: "fine", sessionId: "s-1" });
  });

  it("endless stderr is bounded and the exit still reported", async () => {
    const agent = standIn("head -c 5000000 /dev/zero | tr '\\0' 'e' >&2; exit 1");
    const { result } = await collect(agent.execute(request(sb, "hello")));
    expect(result).toMatchObject({ outcome: "failed", errorCode: "agent_protocol" });
    expect((result.error ?? "").length).toBeLessThan(1_000);
  });
});
