import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventsSender } from "../../src/console/events-sender.js";
import {
  blockActionsPayload,
  eventEnvelope,
  messageEvent,
  type SenderIdentity,
  slashCommandForm,
} from "../../src/console/payloads.js";
import { SlackWebApi } from "../../src/console/slack-web-api.js";
import { Secret } from "../../src/secret.js";
import { fixture, fixtureText } from "../support/slack-signing.js";

/**
 * What the console delivers is what Slack delivers: the samples' fields, signed so that a real
 * Bolt app (HTTPReceiver, signature verification on) takes it, retried with Slack's headers.
 */
const id: SenderIdentity = {
  teamId: "T0AGENT01",
  teamDomain: "acme",
  apiAppId: "A0AGENTAPP",
  botUserId: "U0AGENTBOT",
  botId: "B0AGENTBOT",
};
const alice = { id: "U0ALICE01", name: "alice" };
const keys = (o: object) =>
  Object.keys(o)
    .filter((k) => k !== "_note")
    .sort();

describe("payloads", () => {
  it("have the fields of Slack's samples", () => {
    const form = new URLSearchParams(
      slashCommandForm(id, {
        channel: { id: "C1", name: "general" },
        user: alice,
        command: "/agent",
        text: "fix the build",
        responseUrl: "http://127.0.0.1/response/x",
      }),
    );
    expect([...form.keys()]).toEqual([...new URLSearchParams(fixtureText("slash_command.agent.form.txt")).keys()]);

    const msg = { channel: "C1", ts: "1.000002", threadTs: "1.000001", user: alice.id, text: "<@U0AGENTBOT> hi" };
    const reply = eventEnvelope(id, messageEvent(id, "message", msg, { isIm: false, parentUserId: "U0AGENTBOT" }));
    const sample = fixture<Record<string, object>>("event.message.thread_reply.json");
    expect(keys(reply)).toEqual(keys(sample));
    expect(keys(reply.event as object)).toEqual(keys({ ...sample.event, blocks: [] }));
    const mention = messageEvent(id, "app_mention", { ...msg, threadTs: undefined }, { isIm: false });
    expect(keys(mention)).toEqual(keys(fixture<Record<string, object>>("event.app_mention.json").event!));
    expect((mention.blocks as { elements: { elements: unknown[] }[] }[])[0]?.elements[0]?.elements).toEqual([
      { type: "user", user_id: "U0AGENTBOT" },
      { type: "text", text: " hi" },
    ]);

    const click = blockActionsPayload(id, {
      user: alice,
      channel: { id: "C1", name: "general" },
      message: { ...msg, user: "U0AGENTBOT", botId: "B0AGENTBOT", blocks: [] },
      button: { action_id: "session_cancel", block_id: "b1", value: "1.000001", text: "Cancel", style: "danger" },
      responseUrl: "http://127.0.0.1/response/y",
    });
    const clickSample = fixture<Record<string, Record<string, unknown>>>("block_actions.cancel_button.json");
    expect(keys(click)).toEqual(keys(clickSample));
    expect(keys((click.actions as object[])[0]!)).toEqual(keys((clickSample.actions as unknown as object[])[0]!));
    expect(keys(click.container as object)).toEqual(keys(clickSample.container!));
  });
});

describe("events sender → a real Bolt app", () => {
  const secret = new Secret("console-signing-secret");
  let web: SlackWebApi;
  let app: App;
  let url = "";
  const seen: { kind: string; retryNum?: number; text?: string }[] = [];

  beforeAll(async () => {
    web = await new SlackWebApi().start();
    app = new App({
      token: "xoxb-test",
      signingSecret: secret.reveal(),
      clientOptions: { slackApiUrl: web.apiUrl },
      endpoints: "/slack/events",
      logLevel: LogLevel.ERROR,
    });
    app.command("/agent", async ({ command, ack }) => {
      seen.push({ kind: "command", text: command.text });
      await ack({ response_type: "ephemeral", text: `got ${command.text}` });
    });
    app.event("app_mention", async ({ event, context }) => {
      seen.push({ kind: "app_mention", text: event.text, retryNum: context.retryNum });
    });
    app.action("session_cancel", async ({ ack, body }) => {
      await ack();
      seen.push({ kind: "click", text: (body as { actions: { value: string }[] }).actions[0]?.value });
    });
    const server = (await app.start({ port: 0, host: "127.0.0.1" })) as Server;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await app?.stop();
    await web?.stop();
  });

  it("delivers slash commands, mentions (with retry headers) and clicks that Bolt verifies and routes", async () => {
    const sender = new EventsSender({ secret, target: () => url, retryDelaysMs: [] });
    const form = slashCommandForm(id, {
      channel: { id: "C1", name: "general" },
      user: alice,
      command: "/agent",
      text: "fix the build",
      responseUrl: web.responseUrl("r1"),
    });
    const ack = await sender.command(form);
    expect(ack).toMatchObject({ ok: true, status: 200 });
    expect(ack.ok && JSON.parse(ack.body)).toMatchObject({ text: "got fix the build" });

    const mention = { channel: "C1", ts: "1767300000.000010", user: alice.id, text: "<@U0AGENTBOT> hello" };
    await sender.event(eventEnvelope(id, messageEvent(id, "app_mention", mention, { isIm: false })), {
      num: 1,
      reason: "http_timeout",
    });
    await sender.action(
      blockActionsPayload(id, {
        user: alice,
        channel: { id: "C1", name: "general" },
        message: { ...mention, user: "U0AGENTBOT", botId: "B0AGENTBOT" },
        button: { action_id: "session_cancel", block_id: "b", value: "thread-1", text: "Cancel" },
        responseUrl: web.responseUrl("r2"),
      }),
    );
    await web.waitFor(() => seen.length >= 3, "three deliveries");
    expect(seen).toEqual([
      { kind: "command", text: "fix the build" },
      { kind: "app_mention", text: "<@U0AGENTBOT> hello", retryNum: 1 },
      { kind: "click", text: "thread-1" },
    ]);
  });

  it("is refused by Bolt when signed with another secret", async () => {
    const wrong = new EventsSender({ secret: new Secret("not-the-secret"), target: () => url, retryDelaysMs: [] });
    const r = await wrong.event(eventEnvelope(id, { type: "app_mention", text: "x", ts: "1.1", channel: "C1" }));
    expect(r).toMatchObject({ ok: false, reason: "http_error", status: 401 });
  });
});

describe("events sender retries", () => {
  let server: Server;
  let url = "";
  const hits: IncomingHttpHeaders[] = [];
  let answer: (n: number) => { status: number; hang?: boolean; noRetry?: boolean } = () => ({ status: 200 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      hits.push(req.headers);
      const a = answer(hits.length);
      if (a.hang) return;
      res.writeHead(a.status, a.noRetry ? { "x-slack-no-retry": "1" } : {});
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("delivers an unanswered event again with X-Slack-Retry-Num and the reason, until it is taken", async () => {
    hits.length = 0;
    answer = (n) => (n === 1 ? { status: 200, hang: true } : n === 2 ? { status: 500 } : { status: 200 });
    const sender = new EventsSender({
      secret: new Secret("s"),
      target: () => url,
      timeoutMs: 300,
      retryDelaysMs: [0, 10, 10],
    });
    const first = await sender.event({ type: "event_callback", event_id: "Ev1" });
    expect(first).toMatchObject({ ok: false, reason: "http_timeout" });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (hits.length >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    expect(hits.map((h) => [h["x-slack-retry-num"], h["x-slack-retry-reason"]])).toEqual([
      [undefined, undefined],
      ["1", "http_timeout"],
      ["2", "http_error"],
    ]);
    expect(hits.every((h) => /^v0=[0-9a-f]{64}$/.test(String(h["x-slack-signature"])))).toBe(true);
    sender.stop();
  });

  it("does not retry when the app answers X-Slack-No-Retry: 1", async () => {
    hits.length = 0;
    answer = () => ({ status: 500, noRetry: true });
    const sender = new EventsSender({ secret: new Secret("s"), target: () => url, retryDelaysMs: [0] });
    const r = await sender.event({ type: "event_callback", event_id: "Ev2" });
    expect(r).toMatchObject({ ok: false, noRetry: true });
    // A retry would be sent at once (delay 0); a second delivery of another event shows the order.
    await sender.event({ type: "event_callback", event_id: "Ev3" });
    expect(hits.length).toBe(2);
    sender.stop();
  });
});
