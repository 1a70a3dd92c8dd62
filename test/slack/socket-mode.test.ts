import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSocketMode } from "../support/fake-slack-socket.js";
import { Alice, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import { fixture, nextTs } from "../support/slack-signing.js";

let h: SlackHarness;
let socket: FakeSocketMode;
beforeAll(async () => {
  socket = await new FakeSocketMode().start();
  h = await SlackHarness.start({
    env: { SLACK_APP_TOKEN: "xapp-1-test" },
    beforeStart: (fake) => (fake.socketUrl = socket.url),
  });
});
afterAll(async () => {
  await h.stop();
  await socket.stop();
});

describe("Socket Mode (SLACK_APP_TOKEN set)", () => {
  it("connects through apps.connections.open, acks envelopes, and runs slash commands and mentions", async () => {
    expect(h.app.url).toBeUndefined();
    await h.fake.waitFor(() => socket.connected, "the app to connect");
    h.agent.script = (r) => ({ steps: [], answer: `socket: ${r.prompt}` });

    const command = {
      ...fixture("slash_command.agent.json"),
      text: "fix the build over a socket",
      trigger_id: "trig.socket.1",
    };
    const envelope = socket.push("slash_commands", command);
    await h.fake.waitFor(() => socket.acks.find((a) => a.envelope_id === envelope), "the slash command ack");
    const card = await h.waitForCard();
    expect(blocksText(card)).toContain("fix the build over a socket");
    await h.waitInThread(card.ts, (m) => m.text === "socket: fix the build over a socket", "the answer");

    const ts = nextTs();
    const event = fixture<Record<string, unknown>>("event.app_mention.json");
    event.event = {
      ...(event.event as object),
      text: "<@U0AGENTBOT> and a mention",
      ts,
      user: Alice,
      channel: Channel,
    };
    event.event_id = "EvSOCKET001";
    socket.push("events_api", event);
    const retry = socket.push("events_api", event, 1); // Slack's retry of the same event: runs once
    await h.waitInThread(ts, (m) => m.text === "socket: and a mention", "the mention's answer");
    // Proof the retry started nothing: a run of its own sent after the retry was acknowledged has
    // gone through handler, queue, worker and agent; the retry's handling is a few steps of that.
    await h.fake.waitFor(() => socket.acks.find((a) => a.envelope_id === retry), "the retry's ack");
    const barrierTs = nextTs();
    socket.push("events_api", {
      ...event,
      event_id: "EvSOCKET002",
      event: { ...(event.event as object), text: "<@U0AGENTBOT> barrier", ts: barrierTs },
    });
    await h.waitInThread(barrierTs, (m) => m.text === "socket: barrier", "the barrier run's answer");
    expect(h.agent.requests.map((r) => r.prompt)).toEqual(["fix the build over a socket", "and a mention", "barrier"]);
  });
});
