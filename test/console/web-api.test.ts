import { webApi } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackWebApi } from "../../src/console/slack-web-api.js";
import { fixture } from "../support/slack-signing.js";

/**
 * The Web API stand-in through Slack's own client (@slack/web-api, as the bot calls it): what it
 * answers, the limits it checks, the faults it gives, the URLs it serves.
 */
let api: SlackWebApi;
let client: webApi.WebClient;
const Token = "xoxb-local-console-test";

const call = (method: string, body: Record<string, unknown>, token = Token) =>
  fetch(`${api.apiUrl}${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

beforeEach(async () => {
  api = await new SlackWebApi({ token: Token, users: { U0ALICE01: "alice" } }).start();
  client = new webApi.WebClient(Token, {
    slackApiUrl: api.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
});
afterEach(() => api.stop());

describe("Web API stand-in", () => {
  it("accepts only its own token when it has one", async () => {
    expect((await client.auth.test()).user_id).toBe("U0AGENTBOT");
    const other = new webApi.WebClient("xoxb-someone-else", { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } });
    await expect(other.auth.test()).rejects.toMatchObject({ data: { error: "not_authed" } });
    const body = (await (await call("auth.test", {}, "xoxb-local-console-tesT")).json()) as { ok: boolean };
    expect(body.ok).toBe(false);
  });

  it("posts, edits, threads and lists messages as Slack answers them", async () => {
    const root = await client.chat.postMessage({ channel: "C1", text: "card", blocks: [{ type: "divider" }] });
    expect(root.message).toMatchObject({ bot_id: "B0AGENTBOT", text: "card", bot_profile: { name: "codethread" } });
    const keys = Object.keys(fixture<{ message: object }>("web.chat.postMessage.ok.json").message);
    const reply = await client.chat.postMessage({ channel: "C1", text: "answer", thread_ts: root.ts });
    expect(Object.keys(reply.message ?? {}).sort()).toEqual(keys.sort());
    await client.chat.update({ channel: "C1", ts: root.ts!, text: "card v2" });
    expect(api.message("C1", root.ts!)).toMatchObject({ text: "card v2", edited: true });
    const replies = await client.conversations.replies({ channel: "C1", ts: root.ts! });
    expect(replies.messages?.map((m) => m.text)).toEqual(["card v2", "answer"]);
    const history = await client.conversations.history({ channel: "C1" });
    expect(history.messages?.[0]).toMatchObject({ text: "card v2", reply_count: 1 });
    await expect(client.chat.update({ channel: "C1", ts: "1.2", text: "x" })).rejects.toMatchObject({
      data: { error: "message_not_found" },
    });
    await client.chat.delete({ channel: "C1", ts: reply.ts! });
    expect(api.thread("C1", root.ts!).length).toBe(1);
  });

  it("refuses what Slack refuses and records it", async () => {
    await expect(client.chat.postMessage({ channel: "C1", text: "x".repeat(40_001) })).rejects.toMatchObject({
      data: { error: "msg_too_long" },
    });
    await expect(
      client.chat.postMessage({
        channel: "C1",
        text: "t",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "" } }],
      }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    await expect(
      client.chat.postMessage({ channel: "C1", text: "t", blocks: [{ type: "nonsense" } as never] }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    expect(api.violations.join("\n")).toMatch(/must not be empty[\s\S]*unknown block type nonsense/);
    expect(api.messages).toEqual([]);
  });

  it("gives armed faults: error codes, 429 with Retry-After, HTTP 500, counted and skipped", async () => {
    api.fail("chat.postMessage", "not_in_channel", { skip: 1 });
    api.fail("chat.update", "ratelimited", { retryAfterSec: 7 });
    api.fault("auth.test", { status: 500 }, { count: 2 });
    await client.chat.postMessage({ channel: "C1", text: "first passes" });
    await expect(client.chat.postMessage({ channel: "C1", text: "second" })).rejects.toMatchObject({
      data: { error: "not_in_channel" },
    });
    await client.chat.postMessage({ channel: "C1", text: "third passes" });
    const limited = await call("chat.update", { channel: "C1", ts: "1", text: "x" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await call("auth.test", {})).status).toBe(500);
    expect((await call("auth.test", {})).status).toBe(500);
    expect((await call("auth.test", {})).status).toBe(200);
    expect(api.calls.map((c) => c.outcome)).toEqual([
      "ok",
      "not_in_channel",
      "ok",
      "ratelimited",
      "http_500",
      "http_500",
      "ok",
    ]);
  });

  it("holds a hanging call until it is released, recording it as pending", async () => {
    api.fault("chat.postMessage", { hangMs: 60_000 });
    const held = client.chat.postMessage({ channel: "C1", text: "held" });
    const c = await api.waitForCall("chat.postMessage");
    expect(c.outcome).toBe("pending");
    api.releaseHangs();
    expect((await held).ok).toBe(true);
    expect(c.outcome).toBe("ok");
  });

  it("enforces tiers per workspace and per channel when asked", async () => {
    await api.stop();
    api = await new SlackWebApi({ tiers: { "chat.update": 2 }, channelTiers: { "chat.postMessage": 1 } }).start();
    client = new webApi.WebClient("xoxb-any", {
      slackApiUrl: api.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const m = await client.chat.postMessage({ channel: "C1", text: "a" });
    await expect(client.chat.postMessage({ channel: "C1", text: "b" })).rejects.toThrow(/rate.limit/i);
    await client.chat.postMessage({ channel: "C2", text: "other channel" });
    await client.chat.update({ channel: "C1", ts: m.ts!, text: "1" });
    await client.chat.update({ channel: "C1", ts: m.ts!, text: "2" });
    await expect(client.chat.update({ channel: "C1", ts: m.ts!, text: "3" })).rejects.toThrow(/rate.limit/i);
  });

  it("applies response_url posts like Slack: ephemeral, in_channel, replace and delete the clicked message", async () => {
    const card = await client.chat.postMessage({ channel: "C1", text: "card" });
    const post = (id: string, body: object) =>
      fetch(api.responseUrl(id), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const slash = api.responseUrls.issue({ channel: "C1", user: "U0ALICE01" });
    await post(slash, { text: "only you" });
    await post(slash, { text: "everyone", response_type: "in_channel" });
    expect(api.workspace.notices.map((n) => [n.user, n.text])).toEqual([["U0ALICE01", "only you"]]);
    expect(api.messages.map((m) => m.text)).toEqual(["card", "everyone"]);
    const click = api.responseUrls.issue({ channel: "C1", user: "U0ALICE01", messageTs: card.ts });
    await post(click, { replace_original: true, text: "replaced" });
    expect(api.message("C1", card.ts!)?.text).toBe("replaced");
    await post(click, { delete_original: true });
    expect(api.message("C1", card.ts!)).toBeUndefined();
    await post("made-up-by-a-test", { text: "recorded only" });
    expect(api.responses.map((r) => r.body.text)).toContain("recorded only");
  });

  it("shares an uploaded file in the thread, with its content", async () => {
    const root = await client.chat.postMessage({ channel: "C1", text: "card" });
    await client.filesUploadV2({
      channel_id: "C1",
      thread_ts: root.ts!,
      filename: "answer.md",
      title: "answer.md",
      content: "# The answer\nlong text",
      initial_comment: "The full answer is attached.",
    });
    const shared = api.thread("C1", root.ts!)[1];
    expect(shared).toMatchObject({
      text: "The full answer is attached.",
      files: [{ name: "answer.md", filetype: "md" }],
    });
    expect(api.workspace.files.get(shared!.files![0]!.id)?.content).toBe("# The answer\nlong text");
  });

  it("knows its users (users.info in Slack's shape), opens DMs, keeps and clears a thread's status", async () => {
    const info = await client.users.info({ user: "U0ALICE01" });
    const sample = fixture<{ user: Record<string, unknown> }>("web.users.info.ok.json").user;
    expect(Object.keys(info.user ?? {}).sort()).toEqual(Object.keys(sample).sort());
    expect(info.user?.profile?.display_name).toBe("alice");
    await expect(client.users.info({ user: "U0NOBODY" })).rejects.toMatchObject({ data: { error: "user_not_found" } });
    const dm = await client.conversations.open({ users: "U0ALICE01" });
    expect(dm.channel?.id).toBe("D0ALICE01");
    expect(api.workspace.channels.get("D0ALICE01")).toMatchObject({ isIm: true, user: "U0ALICE01" });
    const root = await client.chat.postMessage({ channel: "C1", text: "card" });
    await client.assistant.threads.setStatus({ channel_id: "C1", thread_ts: root.ts!, status: "is running ls…" });
    expect(api.workspace.statuses.get(`C1:${root.ts}`)).toBe("is running ls…");
    await client.chat.postMessage({ channel: "C1", thread_ts: root.ts!, text: "answer" });
    expect(api.workspace.statuses.has(`C1:${root.ts}`)).toBe(false);
    await expect(client.apiCall("no.such.method")).rejects.toMatchObject({ data: { error: "unknown_method" } });
  });
});
