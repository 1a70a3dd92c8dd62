import { describe, expect, it } from "vitest";
import { AckFirst } from "../../src/slack/ack-first.js";

describe("work after an ack waits for the other acks", () => {
  it("starts once every request that arrived has its answer, not before", async () => {
    const gate = new AckFirst(60_000);
    gate.arrived();
    gate.arrived();
    gate.answered();
    let started = false;
    const work = gate.settled().then(() => {
      started = true;
    });
    // The first request is answered; the second still waits for its answer, and so does the work.
    await new Promise((r) => setImmediate(r));
    expect(gate.pending).toBe(1);
    expect(started).toBe(false);
    gate.answered();
    await work;
    expect(started).toBe(true);
    expect(gate.pending).toBe(0);
  });

  it("lets a request that arrives in the same turn as the last answer hold the work too", async () => {
    const gate = new AckFirst(60_000);
    gate.arrived();
    let started = false;
    const work = gate.settled().then(() => {
      started = true;
    });
    gate.answered();
    gate.arrived(); // before the release's setImmediate
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(false);
    gate.answered();
    await work;
    expect(started).toBe(true);
  });

  it("never waits longer than its bound, whatever is still unanswered", async () => {
    const gate = new AckFirst(20);
    gate.arrived();
    await gate.settled(); // resolves by the bound while the request is still open
    expect(gate.pending).toBe(1);
  });

  it("does not wait at all when nothing is unanswered (Socket Mode: nothing counted)", async () => {
    const gate = new AckFirst(60_000);
    await gate.settled();
    expect(gate.pending).toBe(0);
  });
});
