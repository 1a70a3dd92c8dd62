import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../src/store/audit.js";
import { Alice, Bob, Channel, SigningSecret, SlackHarness } from "../support/slack-harness.js";
import { eventBody, fixture, nextTs, sign, slashForm } from "../support/slack-signing.js";

let h: SlackHarness;
beforeAll(async () => {
  h = await SlackHarness.start({
    env: { CODETHREAD_ALLOWED_USERS: `${Alice},${Bob}`, CODETHREAD_ALLOWED_CHANNELS: `${Channel},C0OTHER01` },
  });
});
beforeEach(() => h.reset());
afterAll(async () => {
  await h.stop();
});

/**
 * Proof that the deliveries sent before it started nothing: a run of its own (a mention in a new
 * thread) sent after them, whose answer arrives only once it went through the whole path — handler,
 * queue, worker, agent, Slack. Each earlier delivery was handled in a few steps of that path, so
 * once the barrier's answer is in, anything they would have started has been started.
 * Returns the barrier's thread, to leave its own messages out of what the test checks.
 */
async function barrier(): Promise<string> {
  const ts = nextTs();
  await h.event("event.app_mention.json", { text: "<@U0AGENTBOT> barrier", ts, user: Alice, channel: Channel });
  await h.waitInThread(ts, (m) => m.text === "Done.", "the barrier run's answer");
  return ts;
}
const prompts = () => h.agent.requests.map((r) => r.prompt).filter((p) => p !== "barrier");
const postsOutside = (thread: string) =>
  h.fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts !== thread && c.params.text !== "barrier");

describe("Slack deliveries", () => {
  it("runs a mention once though it arrives as app_mention and message, each delivered twice", async () => {
    const ts = nextTs();
    const text = "<@U0AGENTBOT> update the changelog";
    const mention = eventBody("event.app_mention.json", { text, ts, user: Alice, channel: Channel });
    const message = eventBody("event.message.thread_reply.json", {
      text,
      ts,
      user: Alice,
      channel: Channel,
      thread_ts: undefined,
      channel_type: "channel",
    });
    const sends = [
      h.post(message, "application/json"),
      h.post(mention, "application/json"),
      h.post(mention, "application/json", {
        headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
      }),
      h.post(message, "application/json", {
        headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
      }),
    ];
    expect((await Promise.all(sends)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await h.waitInThread(ts, (m) => m.text === "Done.", "the answer");
    await barrier();
    expect(prompts()).toEqual(["update the changelog"]);
    expect(h.fake.thread(Channel, ts).filter((m) => m.text === "Done.").length).toBe(1);
  });

  it("runs a retry whose first delivery never arrived", async () => {
    const ts = nextTs();
    const { status } = await h.event(
      "event.app_mention.json",
      { text: "<@U0AGENTBOT> bump deps", ts, user: Bob, channel: Channel },
      {},
      { "x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout" },
    );
    expect(status).toBe(200);
    await h.waitInThread(ts, (m) => m.text === "Done.", "the answer");
    expect(h.agent.requests.map((r) => r.prompt)).toEqual(["bump deps"]);
  });

  it("starts runs from direct messages without a mention", async () => {
    const ts = nextTs();
    await h.event("event.message.thread_reply.json", {
      text: "what does src/app.ts do?",
      ts,
      thread_ts: undefined,
      user: Alice,
      channel: "D0ALICEDM1",
      channel_type: "im",
    });
    await h.waitInThread(ts, (m) => m.text === "Done.", "the answer in the DM", "D0ALICEDM1");
    expect(h.agent.requests[0]?.prompt).toBe("what does src/app.ts do?");
  });

  it("ignores bots, its own posts, edits, deletions and chatter in threads that are not its own", async () => {
    await h.post(JSON.stringify(fixture("event.message.own_bot_post.json")), "application/json");
    await h.post(JSON.stringify(fixture("event.message.message_changed.json")), "application/json");
    await h.event("event.message.thread_reply.json", { ts: nextTs(), subtype: "message_deleted" });
    await h.event("event.message.thread_reply.json", {
      ts: nextTs(),
      subtype: "channel_join",
      text: "<@U0ALICE01> has joined",
    });
    await h.event("event.message.thread_reply.json", {
      ts: nextTs(),
      bot_id: "B0OTHERBOT",
      text: "<@U0AGENTBOT> deploy",
    });
    await h.event("event.message.thread_reply.json", {
      ts: nextTs(),
      thread_ts: "1767220000.000001",
      text: "unrelated discussion",
    });
    await h.event("event.message.thread_reply.json", { ts: nextTs(), thread_ts: undefined, text: "hello channel" });
    const thread = await barrier();
    expect(prompts()).toEqual([]);
    expect(postsOutside(thread)).toEqual([]);
  });

  it("rejects a bad signature and a stale timestamp", async () => {
    const form = slashForm({ text: "fix the build" });
    const bad = await h.post(form, "application/x-www-form-urlencoded", { signature: `v0=${"0".repeat(64)}` });
    expect(bad.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 10 * 60;
    const stale = await h.post(form, "application/x-www-form-urlencoded", {
      timestamp: old,
      signature: sign(SigningSecret, old, form),
    });
    expect(stale.status).toBe(401);
    const wrongSecret = await h.post(form, "application/x-www-form-urlencoded", {
      signature: sign("another-secret", Math.floor(Date.now() / 1000), form),
    });
    expect(wrongSecret.status).toBe(401);
    const thread = await barrier();
    expect(prompts()).toEqual([]);
    expect(postsOutside(thread)).toEqual([]);
  });

  it("refuses a user not on the allow-list and a channel not allowed, and records it", async () => {
    const refused = await h.slash("delete prod", { user_id: "U0MALLORY1" });
    expect(refused.status).toBe(200);
    expect(refused.text).toContain("not on the list of people who may run agents");
    const channel = await h.slash("fix it", { channel_id: "C0RANDOM01" });
    expect(channel.text).toContain("not enabled in this channel");

    await h.event("event.app_mention.json", {
      text: "<@U0AGENTBOT> delete prod",
      ts: nextTs(),
      user: "U0MALLORY1",
      channel: Channel,
    });
    const ephemeral = await h.fake.waitFor(() => h.fake.callsOf("chat.postEphemeral")[0], "ephemeral refusal");
    expect(ephemeral.params.user).toBe("U0MALLORY1");
    await barrier();
    expect(prompts()).toEqual([]);
    const denied = (await listAudit(h.app.db)).filter((a) => a.action === "access.denied");
    expect(denied.map((a) => a.actor)).toEqual(expect.arrayContaining(["U0MALLORY1", Alice]));
  });

  it("answers Slack's url_verification challenge", async () => {
    const res = await h.post(
      JSON.stringify({ type: "url_verification", challenge: "abc123", token: "x" }),
      "application/json",
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain("abc123");
  });
});
