import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenCodeAgent } from "../../src/agents/opencode/index.js";
import type { CodeAgent } from "../../src/agents/port.js";
import { silentLogger } from "../../src/log.js";
import { Secret } from "../../src/secret.js";
import { type MockOpenAI, startMockOpenAI } from "../support/mock-openai.js";
import { collect, request } from "../support/opencode-harness.js";
import { startBreakingProxy } from "../support/opencode-proxy.js";
import {
  createOpenCodeSandbox,
  type OpenCodeSandbox,
  type RunningOpenCode,
  startOpenCodeServer,
} from "../support/opencode-server.js";

/** Bad inputs against a real, password-protected `opencode serve` started by the test. */
describe("opencode provider: unreachable, unauthorized, deleted, dropped and killed servers", () => {
  const password = "s3cret-pass";
  let mock: MockOpenAI;
  let sandbox: OpenCodeSandbox;
  let server: RunningOpenCode;
  const agents: CodeAgent[] = [];
  const agent = (url: string, extra: Partial<Parameters<typeof createOpenCodeAgent>[0]> = {}) => {
    const a = createOpenCodeAgent({
      url,
      password: new Secret(password),
      log: silentLogger,
      reconnect: { attempts: 4, delayMs: 100 },
      ...extra,
    });
    agents.push(a);
    return a;
  };

  beforeAll(async () => {
    mock = await startMockOpenAI();
    sandbox = createOpenCodeSandbox(mock.baseURL);
    server = await startOpenCodeServer(sandbox, { env: { OPENCODE_SERVER_PASSWORD: password } });
  });
  afterAll(async () => {
    await Promise.allSettled(agents.map((a) => a.close?.()));
    await server?.stop();
    await mock?.close();
    sandbox?.cleanup();
  });

  it("fails a run with agent_unavailable when nothing listens, and reports it unavailable", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const a = agent(`http://127.0.0.1:${port}`);
    const run = await collect(a.execute(request("hi", sandbox.project("unreachable"))));
    expect(run.result).toMatchObject({ outcome: "failed", errorCode: "agent_unavailable" });
    expect(await a.checkAvailability()).toMatchObject({ available: false });
  });

  it("says to check the password when the server answers 401", async () => {
    const a = agent(server.url, { password: new Secret("wrong") });
    const run = await collect(a.execute(request("hi", sandbox.project("unauthorized"))));
    expect(run.result).toMatchObject({ outcome: "failed", errorCode: "agent_unavailable" });
    expect(run.result.error).toContain("OPENCODE_SERVER_PASSWORD");
    expect(run.result.error).not.toContain("wrong");
    expect(await a.checkAvailability()).toMatchObject({ available: false });
  });

  it("reports the version through the health route with the right password", async () => {
    expect(await agent(server.url).checkAvailability()).toMatchObject({ available: true, version: "1.18.33" });
  });

  it("tells the thread to start over when its session was deleted (404)", async () => {
    const a = agent(server.url);
    const dir = sandbox.project("deleted");
    const first = await collect(a.execute(request("hello", dir)));
    const id = first.result.sessionId!;
    const auth = `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}`;
    const del = await fetch(`${server.url}/session/${id}?directory=${encodeURIComponent(dir)}`, {
      method: "DELETE",
      headers: { authorization: auth },
    });
    expect(del.ok).toBe(true);
    const again = await collect(a.execute(request("are you there?", dir, { sessionId: id })));
    expect(again.result).toMatchObject({ outcome: "failed", errorCode: "session_not_found" });
    expect(again.result.error).toContain("Start a new thread");
  });

  it("follows a run through /global/event, with the model named explicitly", async () => {
    const a = agent(server.url, { eventScope: "global", model: "mock/mock-model" });
    const run = await collect(a.execute(request("MOCK:bash echo via-global", sandbox.project("global"))));
    expect(run.events[0]).toMatchObject({ type: "session_started", model: "mock/mock-model" });
    expect(run.of("tool_result")).toEqual([expect.objectContaining({ ok: true, output: "via-global\n" })]);
    expect(run.result).toMatchObject({ outcome: "succeeded", text: "Tool bash returned: via-global\n" });
  });

  it("loses no tool result when the event stream drops mid-run", async () => {
    const proxy = await startBreakingProxy(server.url);
    try {
      const a = agent(proxy.url);
      let dropped = false;
      const run = await collect(
        a.execute(request("MOCK:bash sleep 2 && echo survived", sandbox.project("drop"))),
        (e) => {
          if (e.type === "tool_use" && !dropped) {
            dropped = true;
            proxy.drop();
          }
        },
      );
      expect(dropped).toBe(true);
      expect(run.of("tool_result"), JSON.stringify(run.events)).toEqual([
        expect.objectContaining({ ok: true, output: expect.stringContaining("survived") }),
      ]);
      expect(run.result, JSON.stringify(run.events)).toMatchObject({
        outcome: "succeeded",
        text: "Tool bash returned: survived\n",
      });
    } finally {
      await proxy.close();
    }
  });

  it("reopens a silent stream and still delivers the whole answer once", async () => {
    const proxy = await startBreakingProxy(server.url);
    try {
      const a = agent(proxy.url, { heartbeatTimeoutMs: 1000 });
      let frozen = false;
      const run = await collect(a.execute(request("MOCK:slow 12", sandbox.project("silent"))), (e) => {
        if (e.type === "text" && !frozen) {
          frozen = true;
          proxy.freeze();
        }
      });
      const expected = Array.from({ length: 12 }, (_, i) => `tick ${i}. `).join("");
      expect(run.result).toMatchObject({ outcome: "succeeded", text: expected });
      expect(run.text).toBe(expected);
    } finally {
      await proxy.close();
    }
  });
});

describe("opencode provider: the server dies or restarts mid-run", () => {
  let mock: MockOpenAI;
  let sandbox: OpenCodeSandbox;
  let server: RunningOpenCode | undefined;
  beforeAll(async () => {
    mock = await startMockOpenAI();
    sandbox = createOpenCodeSandbox(mock.baseURL);
  });
  afterAll(async () => {
    await server?.stop();
    await mock?.close();
    sandbox?.cleanup();
  });

  it("fails with agent_unavailable, keeping what was seen, when the server is killed", async () => {
    server = await startOpenCodeServer(sandbox);
    const killed = server;
    const a = createOpenCodeAgent({ url: killed.url, log: silentLogger, reconnect: { attempts: 2, delayMs: 100 } });
    const run = await collect(a.execute(request("MOCK:bash sleep 30", sandbox.project("killed"))), async (e) => {
      if (e.type === "tool_use") await killed.kill();
    });
    expect(run.of("tool_use")).toHaveLength(1);
    expect(run.result).toMatchObject({ outcome: "failed", errorCode: "agent_unavailable" });
    expect(run.result.sessionId).toMatch(/^ses_/);
  });

  it("ends the run with agent_interrupted when the server restarts under it", async () => {
    server = await startOpenCodeServer(sandbox);
    const first = server;
    const port = Number(new URL(first.url).port);
    const a = createOpenCodeAgent({ url: first.url, log: silentLogger, reconnect: { attempts: 10, delayMs: 300 } });
    const run = await collect(a.execute(request("MOCK:bash sleep 30", sandbox.project("restart"))), async (e) => {
      if (e.type === "tool_use") {
        await first.kill();
        server = await startOpenCodeServer(sandbox, { port });
      }
    });
    expect(run.result).toMatchObject({ outcome: "failed", errorCode: "agent_interrupted" });
    expect(run.result.error).toContain("restarted");
  });
});
