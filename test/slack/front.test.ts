import { request } from "node:http";
import { App } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { opsRoutes } from "../../src/ops/routes.js";
import { Secret } from "../../src/secret.js";
import { boltLogger } from "../../src/slack/bolt-logger.js";
import { FrontAckDeadlineMs, FrontReceiver, type FrontReceiverOptions } from "../../src/slack/front/front-receiver.js";
import { FakeSlack } from "../support/fake-slack.js";
import { fixture, sign, signedPost, slashForm } from "../support/slack-signing.js";

/**
 * The Slack front (src/slack/front/): a worker thread owns the HTTP listener and answers Slack in
 * time whatever the bot's own loop is doing. A real Bolt app behind it, signed requests as Slack
 * sends them; the bot's "busy loop" is a listener that has not acknowledged yet.
 */
const Secret_ = "front-test-signing-secret";
const started: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.stop();
});

/** A gate a listener waits on before it acknowledges: the test opens it. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

async function front(
  register: (app: App) => void,
  options: Partial<FrontReceiverOptions> = {},
): Promise<{ url: string; base: string }> {
  const receiver = new FrontReceiver({
    signingSecret: new Secret(Secret_),
    host: "127.0.0.1",
    port: 0,
    endpoint: "/slack/events",
    log: silentLogger,
    ...options,
  });
  const app = new App({
    token: "xoxb-front-test",
    botId: "B0FRONT",
    botUserId: "U0FRONTBOT",
    tokenVerificationEnabled: false,
    receiver,
    logger: boltLogger(silentLogger),
  });
  register(app);
  const { port } = (await app.start()) as unknown as { port: number };
  started.push(receiver);
  return { url: `http://127.0.0.1:${port}/slack/events`, base: `http://127.0.0.1:${port}` };
}

const form = "application/x-www-form-urlencoded" as const;

describe("Slack's answer does not wait for a busy bot", () => {
  it("a command's quick answer is in Slack's HTTP answer when the bot acknowledges in time", async () => {
    const answered: string[] = [];
    const { url } = await front((app) => app.command("/agent", async ({ ack }) => ack({ text: "quick answer" })), {
      ackDeadlineMs: 60_000,
      metrics: { slackAnswered: (by) => answered.push(by) },
    });
    const res = await signedPost(url, slashForm({ text: "help" }), { secret: Secret_, contentType: form });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ text: "quick answer" });
    await expect.poll(() => answered).toEqual(["bot"]);
  });

  it("a bot still busy at the deadline: Slack has its 200 first, the answer follows on the response_url", async () => {
    const fake = await new FakeSlack().start();
    started.push(fake);
    const busy = gate();
    let acked = false;
    const answered: string[] = [];
    const { url } = await front(
      (app) =>
        app.command("/agent", async ({ ack }) => {
          await busy.wait;
          await ack({ response_type: "ephemeral", text: "the answer, late" });
          acked = true;
        }),
      { metrics: { slackAnswered: (by) => answered.push(by) } },
    );
    const body = slashForm({ text: "status", response_url: fake.responseUrl("late-1") });
    const res = await signedPost(url, body, { secret: Secret_, contentType: form });
    // Answered while the listener had not acknowledged: the front answered for it.
    expect(res).toEqual({ status: 200, text: "" });
    expect(acked).toBe(false);
    busy.open();
    const posted = await fake.waitFor(
      () => fake.responses.find((r) => r.path === "/response/late-1"),
      "the late answer on the response_url",
    );
    expect(posted.body).toMatchObject({ response_type: "ephemeral", text: "the answer, late" });
    expect(answered).toEqual(["front"]); // codethread_slack_answer_seconds{by="front"}
  });

  it("events are answered while their listener still works", async () => {
    const busy = gate();
    const seen: string[] = [];
    const { url } = await front((app) =>
      app.event("app_mention", async ({ event }) => {
        await busy.wait;
        seen.push(event.text);
      }),
    );
    const event = fixture<Record<string, unknown>>("event.app_mention.json");
    const res = await signedPost(url, JSON.stringify(event), { secret: Secret_, contentType: "application/json" });
    expect(res.status).toBe(200);
    expect(seen).toEqual([]);
    busy.open();
    await expect.poll(() => seen.length).toBe(1);
  });

  it("a bot not heard from is not answered for: Slack waits for its ack, and gets it", async () => {
    const late = gate();
    const { url } = await front(
      (app) =>
        app.command("/agent", async ({ ack }) => {
          await late.wait;
          await ack({ text: "from the bot itself" });
        }),
      { aliveWindowMs: -1 },
    );
    const answer = signedPost(url, slashForm({ text: "help" }), { secret: Secret_, contentType: form });
    // Past the deadline the request is still open: the answer below is the bot's own.
    setTimeout(late.open, FrontAckDeadlineMs * 4);
    const res = await answer;
    expect(JSON.parse(res.text)).toMatchObject({ text: "from the bot itself" });
  });

  it("a bot that never acknowledges and is not heard from: Slack gets a 503 (and retries an event), not a 200", async () => {
    const { url } = await front(
      (app) =>
        app.command("/agent", async () => {
          await new Promise(() => undefined);
        }),
      { aliveWindowMs: -1 },
    );
    const res = await signedPost(url, slashForm({ text: "help" }), { secret: Secret_, contentType: form });
    expect(res.status).toBe(503);
  });

  it("a view submission's answer exists only in the HTTP answer: it waits for the bot past the deadline", async () => {
    const late = gate();
    const { url } = await front((app) =>
      app.view("settings", async ({ ack }) => {
        await late.wait;
        await ack({ response_action: "errors", errors: { name: "Taken" } });
      }),
    );
    const payload = {
      type: "view_submission",
      team: { id: "T0TEST0001", domain: "test" },
      user: { id: "U0ALICE001", team_id: "T0TEST0001" },
      api_app_id: "A0TEST0001",
      token: "legacy",
      trigger_id: "1.2.3",
      view: { id: "V0TEST0001", callback_id: "settings", type: "modal", state: { values: {} } },
    };
    const answer = signedPost(url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), {
      secret: Secret_,
      contentType: form,
    });
    setTimeout(late.open, FrontAckDeadlineMs * 4);
    const res = await answer;
    expect(JSON.parse(res.text)).toEqual({ response_action: "errors", errors: { name: "Taken" } });
  });
});

describe("the front checks requests before the bot sees them", () => {
  it("refuses unsigned, mis-signed and stale requests, and the listener never runs", async () => {
    let ran = 0;
    const { url } = await front((app) =>
      app.command("/agent", async ({ ack }) => {
        ran++;
        await ack();
      }),
    );
    const body = slashForm({ text: "help" });
    const unsigned = await fetch(url, { method: "POST", headers: { "content-type": form }, body });
    expect(unsigned.status).toBe(401);
    expect((await signedPost(url, body, { secret: "not-the-secret", contentType: form })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await signedPost(url, body, { secret: Secret_, contentType: form, timestamp: stale })).status).toBe(401);
    expect((await signedPost(url, "{not json", { secret: Secret_, contentType: "application/json" })).status).toBe(400);
    expect(ran).toBe(0);
    expect((await signedPost(url, body, { secret: Secret_, contentType: form })).status).toBe(200);
    expect(ran).toBe(1);
  });

  it("answers Slack's URL check with its challenge and an ssl_check with 200", async () => {
    const { url } = await front(() => undefined);
    const check = await signedPost(url, JSON.stringify({ type: "url_verification", challenge: "ch4llenge" }), {
      secret: Secret_,
      contentType: "application/json",
    });
    expect(JSON.parse(check.text)).toEqual({ challenge: "ch4llenge" });
    const ssl = await fetch(url, { method: "POST", headers: { "content-type": form }, body: "ssl_check=1&token=x" });
    expect(ssl.status).toBe(200);
  });

  it("passes /healthz through to the bot's own routes; other paths are 404", async () => {
    const { base } = await front(() => undefined, { routes: opsRoutes({ checks: [] }) });
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/slack/events`)).status).toBe(404);
  });

  it("a body over the limit is refused with 413", async () => {
    const { url } = await front(() => undefined);
    const big = `text=${"x".repeat(5 * 1024 * 1024)}`;
    const status = await new Promise<number>((resolve) => {
      const ts = Math.floor(Date.now() / 1000);
      const req = request(
        url,
        {
          method: "POST",
          headers: {
            "content-type": form,
            "x-slack-request-timestamp": String(ts),
            "x-slack-signature": sign(Secret_, ts, big),
          },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on("error", () => resolve(-1));
      req.end(big);
    });
    expect(status).toBe(413);
  });
});
