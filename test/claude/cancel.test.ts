import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agents/events.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import { collect, makeAgent, ofType, request, type Sandbox, useTestbed } from "./harness.js";
import { eventually, processesMentioning } from "./processes.js";

let mock: MockAnthropic;
let sb: Sandbox;
useTestbed(
  (m) => (mock = m),
  (s) => (sb = s),
);

/** A sleep duration no other process on the machine uses, to find the tool in the process table. */
const uniqueSleep = () => 7_000 + Math.floor(Math.random() * 90_000);

describe("stopping runs", () => {
  it("cancel during a long Bash command: cancelled, and nothing is left running", async () => {
    const agent = makeAgent(mock, sb);
    const secs = uniqueSleep();
    const req = request(sb, `MOCK:longbash=${secs} run the long job`);
    const events: AgentEvent[] = [];
    for await (const e of agent.execute(req)) {
      events.push(e);
      if (e.type === "tool_use") {
        expect(await eventually(() => processesMentioning(`sleep ${secs}`).length > 0)).toBe(true);
        await agent.cancel(req.runId);
      }
    }
    const result = events.at(-1);
    expect(result?.type === "result" && result.result.outcome).toBe("cancelled");
    expect(ofType(events, "tool_result")[0]?.ok).toBe(false);
    expect(processesMentioning(`sleep ${secs}`)).toEqual([]);
    expect(processesMentioning(req.runId)).toEqual([]);
    expect(processesMentioning(sb.root)).toEqual([]);
    await agent.cancel(req.runId); // finished runs: a no-op
  });

  it("aborting the signal cancels too, keeping what was said", async () => {
    const agent = makeAgent(mock, sb);
    const controller = new AbortController();
    const slowBefore = mock.slowDeltasSent();
    const events: AgentEvent[] = [];
    for await (const e of agent.execute(request(sb, "MOCK:slow talk slowly"), { signal: controller.signal })) {
      events.push(e);
      // Abort once the model has streamed a few words (an event, not a fixed delay: under load a run starts late).
      if (e.type === "session_started") void mock.slowDeltas(slowBefore + 3).then(() => controller.abort());
    }
    const { result } = await collect(
      (async function* () {
        yield* events;
      })(),
    );
    expect(result.outcome).toBe("cancelled");
    expect(result.text).toMatch(/^slow 0\./);
    expect(processesMentioning(sb.root)).toEqual([]);
  });

  it("a run that never ends times out with the partial text and leaves nothing behind", async () => {
    const agent = makeAgent(mock, sb);
    const secs = uniqueSleep();
    const { events, result } = await collect(
      agent.execute(request(sb, `MOCK:longbash=${secs} forever`, { timeoutMs: 8_000 })),
    );
    expect(result.outcome).toBe("timed_out");
    expect(result.error).toMatch(/time limit/);
    expect(ofType(events, "tool_use")).toHaveLength(1);
    expect(processesMentioning(`sleep ${secs}`)).toEqual([]);
    expect(processesMentioning(sb.root)).toEqual([]);
  });
});
