import { mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import type { AgentRequest } from "../../src/agents/request.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import {
  claudeBin,
  collect,
  makeAgent,
  mockEnv,
  ofType,
  promptTexts,
  request,
  type Sandbox,
  useTestbed,
} from "./harness.js";
import { eventually, processesMentioning } from "./processes.js";

let mock: MockAnthropic;
let sb: Sandbox;
let calls: string;
let fakeBin: string;
useTestbed(
  (m) => (mock = m),
  (s) => (sb = s),
);
beforeEach(() => {
  calls = path.join(sb.root, "kubectl-calls");
  mkdirSync(calls);
  fakeBin = path.join(sb.root, "bin");
  mkdirSync(fakeBin);
  symlinkSync(path.resolve("test/support/fake-kubectl.sh"), path.join(fakeBin, "kubectl"));
});
afterEach(() => sb.cleanup());

/** The stand-in `kubectl` first on PATH; the "pod" runs the real CLI locally. */
function podAgent(over: { kubectlBin?: string; env?: Record<string, string>; stopGraceMs?: number } = {}) {
  return makeAgent(mock, sb, {
    kubectlBin: over.kubectlBin ?? "kubectl",
    ...(over.stopGraceMs ? { stopGraceMs: over.stopGraceMs } : {}),
    podBin: claudeBin(),
    podConfigRoot: path.join(sb.root, "pod-config"),
    env: mockEnv(mock, sb, {
      PATH: `${fakeBin}:${process.env.PATH ?? ""}`,
      FAKE_KUBECTL_DIR: calls,
      ...over.env,
    }),
  });
}

function podRequest(prompt: string, over: Partial<AgentRequest> = {}): AgentRequest {
  return request(sb, prompt, {
    workspace: {
      kind: "pod",
      namespace: "agents",
      pod: "ws-0",
      container: "claude",
      context: "prod-ctx",
      directory: sb.cwd,
    },
    ...over,
  });
}

/** Every recorded kubectl argv, byte for byte. */
function recordedCalls(): string[][] {
  return readdirSync(calls).map((f) => readFileSync(path.join(calls, f), "utf8").split("\0").slice(0, -1));
}

describe("the kubectl exec runner (stand-in kubectl that runs the command locally)", () => {
  it("runs claude through kubectl exec -i with the exact argv and a byte-exact prompt", async () => {
    const agent = podAgent();
    const prompt = `MOCK:bash "quoted" 'single' $(whoami) \`id\` ; rm -rf / \n second line — ünïcode 😀`;
    const { events, result } = await collect(agent.execute(podRequest(prompt)));
    expect(result.outcome).toBe("succeeded");
    expect(ofType(events, "tool_use")[0]?.summary).toBe("Ran ls");
    const [launch, ...others] = recordedCalls();
    expect(others).toEqual([]);
    expect(launch?.slice(0, 10)).toEqual([
      "--context",
      "prod-ctx",
      "exec",
      "-i",
      "-n",
      "agents",
      "ws-0",
      "-c",
      "claude",
      "--",
    ]);
    const cmd = launch?.slice(10) ?? [];
    expect(cmd[0]).toBe("sh");
    expect(cmd[1]).toBe("-c");
    expect(cmd[2]).not.toContain(prompt); // the shell script is fixed; user text is only an argument
    expect(cmd).toContain(claudeBin());
    expect(cmd.slice(cmd.indexOf("-p"), cmd.indexOf("-p") + 3)).toEqual(["-p", "--input-format", "stream-json"]);
    expect(launch?.join("\n")).not.toContain("MOCK:bash"); // the prompt went through stdin only
    expect(cmd).toContain("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1");
    expect(cmd.some((a) => a.startsWith(`CLAUDE_CONFIG_DIR=${path.join(sb.root, "pod-config")}/`))).toBe(true);
    expect(promptTexts(mock)).toContain(prompt);
  });

  it("a prompt too long for an exec URL arrives through stdin, intact", async () => {
    const agent = podAgent();
    const prompt = `MOCK:echo ${"línea con $(cosas) y `más`\n".repeat(1_000)}`;
    const { result } = await collect(agent.execute(podRequest(prompt)));
    expect(result.text).toBe(`Received ${Buffer.byteLength(prompt)} bytes.`);
    expect(promptTexts(mock)).toContain(prompt);
    const [launch] = recordedCalls();
    expect(launch?.join("\n")).not.toContain("línea");
  });

  it("when the in-band interrupt cannot get through, cancel stops the remote process by a second exec with its pid", async () => {
    // The exec stream stalls after the prompt: the interrupt written to stdin never arrives.
    const agent = podAgent({ env: { FAKE_KUBECTL_STDIN_LINES: "1" }, stopGraceMs: 1_000 });
    const secs = 7_000 + Math.floor(Math.random() * 90_000);
    const req = podRequest(`MOCK:longbash=${secs} in the pod`);
    const events: AgentEvent[] = [];
    let sessionId = "";
    let claudePid: number | undefined;
    for await (const e of agent.execute(req)) {
      events.push(e);
      if (e.type === "session_started") sessionId = e.sessionId;
      if (e.type === "tool_use") {
        expect(await eventually(() => processesMentioning(`sleep ${secs}`).length > 0)).toBe(true);
        const cli = processesMentioning(`--session-id ${sessionId}`).find(
          (l) => l.includes(claudeBin()) && !l.includes("codethread-launch"), // the CLI, not kubectl or the launcher
        );
        claudePid = Number(cli?.split(":")[0]);
        await agent.cancel(req.runId);
      }
    }
    const last = events.at(-1);
    expect(last?.type === "result" && last.result.outcome).toBe("cancelled");
    // Each stage still needed is one exec (the calls' order on disk is not theirs): SIGINT first, maybe more.
    const stops = recordedCalls().filter((c) => c.includes("codethread-stop"));
    for (const stop of stops) {
      expect(stop.slice(0, 9)).toEqual(["--context", "prod-ctx", "exec", "-n", "agents", "ws-0", "-c", "claude", "--"]);
    }
    expect(stops.map((stop) => stop.slice(-2))).toContainEqual([String(claudePid), "interrupt"]);
    expect(claudePid).toBeGreaterThan(1);
    expect(processesMentioning(`sleep ${secs}`)).toEqual([]);
    expect(processesMentioning(`--session-id ${sessionId}`)).toEqual([]);
  });

  it("an unreachable pod or a missing kubectl: failed, agent_unavailable, with kubectl's message", async () => {
    const unreachable = podAgent({ env: { FAKE_KUBECTL_FAIL: 'Error from server (NotFound): pods "ws-0" not found' } });
    const a = await collect(unreachable.execute(podRequest("hello")));
    expect(a.result).toMatchObject({ outcome: "failed", errorCode: "agent_unavailable" });
    expect(a.result.error).toMatch(/pods "ws-0" not found/);
    const missing = podAgent({ kubectlBin: path.join(sb.root, "no-kubectl") });
    const b = await collect(missing.execute(podRequest("hello")));
    expect(b.result).toMatchObject({ outcome: "failed", errorCode: "agent_unavailable" });
  });
});
