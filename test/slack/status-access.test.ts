import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "../../src/store/audit.js";
import { Alice, Bob, Channel, Forever, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * Issue 9, leak 2: `/agent status` listed every queued and running prompt of every channel and DM,
 * to anyone — even to people the allow-list refuses (it was answered before the access check).
 * Now: access first; the asking conversation's runs in detail, a count for elsewhere; admins see all.
 */
const Admin = "U0ADMIN01";
const Mallory = "U0MALLORY";
const Other = "C0OTHER01";
const AliceDm = "D0ALICEDM1";

let h: SlackHarness;

beforeAll(async () => {
  h = await SlackHarness.start({
    env: { CODETHREAD_ALLOWED_USERS: `${Alice},${Bob}`, CODETHREAD_ADMINS: Admin },
  });
  h.agent.script = () => ({ steps: [{ wait: Forever }] });
  // Three runs that stay running: one here, one in another channel, one in Alice's DM with the bot.
  await h.slash("refactor billing secret-here", { user_id: Alice });
  await h.waitForCard(1);
  await h.slash("rotate prod keys secret-other", { user_id: Bob, channel_id: Other });
  await h.waitForCard(1, Other);
  const dmTs = nextTs();
  await h.event("event.message.thread_reply.json", {
    text: "my private question secret-dm",
    ts: dmTs,
    thread_ts: undefined,
    user: Alice,
    channel: AliceDm,
    channel_type: "im",
  });
  await h.fake.waitFor(() => h.agent.requests.length === 3, "three runs running");
});
afterAll(async () => {
  await h.stop();
});

/** `/agent status` by `user` in `channel`; resolves with the ack body and the response_url answer. */
async function slashStatus(user: string, channel = Channel) {
  const id = `status-${user}-${Math.random().toString(36).slice(2)}`;
  const ack = await h.slash("status", { user_id: user, channel_id: channel, response_url: h.fake.responseUrl(id) });
  return { ack, id };
}

async function responseText(id: string): Promise<string> {
  const r = await h.fake.waitFor(() => h.fake.responses.find((x) => x.path === `/response/${id}`), `response ${id}`);
  return String(r.body.text);
}

const secrets = ["secret-here", "secret-other", "secret-dm"];

describe("/agent status and who sees what", () => {
  it("refuses people the allow-list refuses, in the ack, before anything is read", async () => {
    const { ack, id } = await slashStatus(Mallory);
    expect(ack.status).toBe(200);
    expect(ack.text).toContain("You are not on the list of people who may run agents here");
    for (const s of secrets) expect(ack.text).not.toContain(s);
    // Someone allowed asks next; by the time that answer arrives nothing else was sent to Mallory.
    const bob = await slashStatus(Bob);
    await responseText(bob.id);
    expect(h.fake.responses.filter((r) => r.path === `/response/${id}`)).toEqual([]);
    const audit = await listAudit(h.app.db, { limit: 50 });
    expect(audit.some((a) => a.actor === Mallory && a.action === "access.denied")).toBe(true);
  });

  it("shows this channel's runs in detail and only a count for other channels and DMs", async () => {
    const { id } = await slashStatus(Bob);
    const text = await responseText(id);
    expect(text).toContain("*Agents*");
    expect(text).toContain("secret-here");
    expect(text).toContain(`<@${Alice}>`);
    expect(text).not.toContain("secret-other");
    expect(text).not.toContain("secret-dm");
    expect(text).not.toContain(Other);
    expect(text).toContain("Elsewhere: 2 runs queued or running in other channels and DMs");
  });

  it("shows a DM's own runs to its owner, and nothing of the channels", async () => {
    const { id } = await slashStatus(Alice, AliceDm);
    const text = await responseText(id);
    expect(text).toContain("secret-dm");
    expect(text).not.toContain("secret-here");
    expect(text).not.toContain("secret-other");
    expect(text).toContain("Elsewhere: 2 runs");
  });

  it("shows admins every run, with where it runs", async () => {
    const { id } = await slashStatus(Admin);
    const text = await responseText(id);
    for (const s of secrets) expect(text).toContain(s);
    expect(text).toContain(`<#${Other}>`);
    expect(text).toContain("in a DM");
    expect(text).not.toContain("Elsewhere");
  });

  it("answers `@codethread status` like `/agent status`, ephemerally, without starting a run", async () => {
    const before = h.fake.callsOf("chat.postEphemeral").length;
    const ts = nextTs();
    await h.event("event.app_mention.json", {
      text: `<@${h.fake.botUserId}> status`,
      ts,
      user: Bob,
      channel: Channel,
    });
    const call = await h.fake.waitFor(
      () =>
        h.fake
          .callsOf("chat.postEphemeral")
          .slice(before)
          .find((c) => c.params.user === Bob),
      "the ephemeral status",
    );
    const text = String(call.params.text);
    expect(text).toContain("*Agents*");
    expect(text).toContain("secret-here");
    expect(text).not.toContain("secret-other");
    expect(text).not.toContain("secret-dm");
    expect(text).toContain("Elsewhere: 2 runs");
    expect(call.params.thread_ts).toBe(ts);

    await h.event("event.app_mention.json", { text: `<@${h.fake.botUserId}> status`, ts: nextTs(), user: Mallory });
    const refusal = await h.fake.waitFor(
      () => h.fake.callsOf("chat.postEphemeral").find((c) => c.params.user === Mallory),
      "the refusal",
    );
    expect(String(refusal.params.text)).toContain("not on the list");
    for (const s of secrets) expect(String(refusal.params.text)).not.toContain(s);
    expect(h.agent.requests).toHaveLength(3);
  });
});
