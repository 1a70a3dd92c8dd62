import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import { OpenCodeClient } from "../../src/agents/opencode/client.js";
import { EventStream, type StreamItem } from "../../src/agents/opencode/event-stream.js";
import { decodeFrame } from "../../src/agents/opencode/frames.js";
import { ruleFor, rulesForPolicy } from "../../src/agents/opencode/permissions.js";
import { EventQueue } from "../../src/agents/opencode/queue.js";
import { silentLogger } from "../../src/log.js";

describe("EventQueue", () => {
  it("coalesces text while the consumer is slow and never drops a tool result or the result", async () => {
    const q = new EventQueue(2);
    const pushes: Promise<void>[] = [];
    pushes.push(q.push({ type: "text", text: "a" }));
    pushes.push(q.push({ type: "text", text: "b" }));
    pushes.push(q.push({ type: "tool_result", id: "1", ok: true, output: "x" }));
    let thirdDone = false;
    const third = q.push({ type: "tool_result", id: "2", ok: true, output: "y" }).then(() => {
      thirdDone = true;
    });
    await Promise.all(pushes);
    await Promise.resolve();
    expect(q.size).toBe(2);
    expect(thirdDone).toBe(false); // back-pressure: waits for room
    const seen: AgentEvent[] = [];
    const reading = (async () => {
      for await (const e of q) seen.push(e);
    })();
    await third;
    await q.push({ type: "result", result: { outcome: "succeeded", text: "ab", durationMs: 1 } });
    q.close();
    await reading;
    expect(seen.map((e) => e.type)).toEqual(["text", "tool_result", "tool_result", "result"]);
    expect(seen[0]).toEqual({ type: "text", text: "ab" });
  });

  it("releases waiting producers when the consumer stops", async () => {
    const q = new EventQueue(1);
    await q.push({ type: "text", text: "a" });
    const blocked = q.push({ type: "error", message: "x" });
    for await (const _ of q) break;
    await expect(blocked).resolves.toBeUndefined();
  });
});

describe("permission rules", () => {
  it("allow-tools denies everything but the listed tools, in OpenCode's names", () => {
    expect(rulesForPolicy({ mode: "allow-tools", tools: ["Bash", "Write", "Bash(git diff:*)"] })).toEqual([
      { permission: "*", pattern: "*", action: "deny" },
      { permission: "bash", pattern: "*", action: "allow" },
      { permission: "edit", pattern: "*", action: "allow" },
      { permission: "bash", pattern: "git diff *", action: "allow" },
    ]);
  });
  it("ask asks for everything but allowTools; bypass allows all; default adds nothing", () => {
    expect(rulesForPolicy({ mode: "ask", allowTools: ["Read"] })).toEqual([
      { permission: "*", pattern: "*", action: "ask" },
      { permission: "read", pattern: "*", action: "allow" },
    ]);
    expect(rulesForPolicy({ mode: "bypass" })).toEqual([{ permission: "*", pattern: "*", action: "allow" }]);
    expect(rulesForPolicy({ mode: "default" })).toBeUndefined();
    expect(ruleFor("webfetch", "deny")).toEqual({ permission: "webfetch", pattern: "*", action: "deny" });
  });
});

describe("SSE frames", () => {
  it("reads /event and /global/event frames; flags garbage; ignores noise", () => {
    expect(decodeFrame('{"type":"session.idle","properties":{"sessionID":"ses_1"}}')).toMatchObject({
      kind: "event",
      event: { type: "session.idle" },
    });
    expect(
      decodeFrame('{"directory":"/w","payload":{"type":"session.idle","properties":{"sessionID":"ses_1"}}}'),
    ).toMatchObject({
      kind: "event",
      directory: "/w",
    });
    expect(decodeFrame('{"type":"plugin.added","properties":{}}')).toEqual({ kind: "ignored", type: "plugin.added" });
    expect(decodeFrame("{oops")).toMatchObject({ kind: "malformed" });
    expect(decodeFrame('{"type":"session.idle","properties":{}}')).toMatchObject({ kind: "malformed" });
  });
});

describe("EventStream against a misbehaving SSE server", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("skips malformed frames, survives a dropped connection, and reports the reconnect", async () => {
    let connections = 0;
    server = createServer((_req, res) => {
      connections += 1;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"type":"server.connected","properties":{}}\n\n');
      if (connections === 1) {
        res.write("data: {broken\n\n");
        res.write('data: {"type":"session.idle","properties":{"sessionID":42}}\n\n');
        res.write('data: {"type":"session.idle","properties":{"sessionID":"ses_a"}}\n\n', () => res.destroy()); // dropped mid-stream
      } else {
        res.write('data: {"type":"session.idle","properties":{"sessionID":"ses_b"}}\n\n');
      }
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const items: StreamItem[] = [];
    let resolveB!: () => void;
    const gotB = new Promise<void>((r) => {
      resolveB = r;
    });
    const stream = new EventStream(
      {
        client: new OpenCodeClient({ baseUrl: url }),
        scope: "directory",
        directory: "/w",
        log: silentLogger,
        reconnect: { attempts: 3, delayMs: 10 },
      },
      async (item) => {
        items.push(item);
        if (item.kind === "event" && item.event.type === "session.idle" && item.event.properties.sessionID === "ses_b")
          resolveB();
      },
    );
    await stream.ready();
    await gotB;
    stream.stop();
    expect(
      items.map((i) => (i.kind === "event" && i.event.type === "session.idle" ? i.event.properties.sessionID : i.kind)),
    ).toEqual(["ses_a", "reconnected", "ses_b"]);
    expect(stream.malformedFrames).toBe(2);
  });

  it("gives up with agent_unavailable after the reconnect attempts", async () => {
    server = createServer((_req, res) => {
      res.writeHead(503).end("down");
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stream = new EventStream(
      {
        client: new OpenCodeClient({ baseUrl: url }),
        scope: "global",
        directory: "/w",
        log: silentLogger,
        reconnect: { attempts: 2, delayMs: 10 },
      },
      async () => {},
    );
    await expect(stream.ready()).rejects.toMatchObject({ code: "agent_unavailable" });
  });
});

describe("embedded server", () => {
  it("fails the run with agent_unavailable when the opencode binary is missing", async () => {
    const { createOpenCodeAgent } = await import("../../src/agents/opencode/index.js");
    const agent = createOpenCodeAgent({ bin: "/nonexistent/opencode", log: silentLogger });
    const events: AgentEvent[] = [];
    for await (const e of agent.execute({
      runId: "r1",
      prompt: "hi",
      workspace: { kind: "local", directory: "/" },
      timeoutMs: 60_000,
    })) {
      events.push(e);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "result", result: { outcome: "failed", errorCode: "agent_unavailable" } });
    expect(await agent.checkAvailability()).toMatchObject({ available: false });
    await agent.close?.();
  });

  it("gives up on a server that never says it is listening, and stops it", async () => {
    const { mkdtempSync, writeFileSync, chmodSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { createOpenCodeAgent } = await import("../../src/agents/opencode/index.js");
    const root = mkdtempSync(path.join(tmpdir(), "ct-fake-opencode-"));
    const bin = path.join(root, "opencode");
    writeFileSync(bin, "#!/bin/sh\necho starting\nexec sleep 60\n");
    chmodSync(bin, 0o755);
    const agent = createOpenCodeAgent({ bin, startTimeoutMs: 500, log: silentLogger });
    const events: AgentEvent[] = [];
    for await (const e of agent.execute({
      runId: "r2",
      prompt: "hi",
      workspace: { kind: "local", directory: root },
      timeoutMs: 60_000,
    })) {
      events.push(e);
    }
    expect(events.at(-1)).toMatchObject({
      type: "result",
      result: { outcome: "failed", errorCode: "agent_unavailable" },
    });
    expect(JSON.stringify(events.at(-1))).toContain("listening");
    await agent.close?.();
    rmSync(root, { recursive: true, force: true });
  });
});

describe("EventQueue.pushNow", () => {
  it("queues past the bound without waiting (answers given from inside the consumer loop)", async () => {
    const q = new EventQueue(1);
    await q.push({ type: "text", text: "a" });
    q.pushNow({ type: "permission_denied", tool: "bash", id: "per_1" });
    expect(q.size).toBe(2);
  });
});

describe("tool summaries for OpenCode-only names", () => {
  it("reads the skill tool and the external_directory permission", async () => {
    const { describeToolUse } = await import("../../src/agents/tool-summary.js");
    const { OpenCodeTools } = await import("../../src/agents/opencode/tools.js");
    expect(describeToolUse(OpenCodeTools, "skill", { name: "pdf" })).toEqual({
      kind: "other",
      summary: "Loaded skill pdf",
    });
    expect(describeToolUse(OpenCodeTools, "external_directory", { pattern: "/etc/*" }).summary).toBe(
      "Accessed /etc/* outside the workspace",
    );
  });
});
