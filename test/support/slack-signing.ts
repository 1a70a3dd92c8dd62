import { readFileSync } from "node:fs";
import { slackSignature } from "../../src/console/signing.js";

/**
 * Signed requests to the Bolt app, built like Slack builds them: `v0=HMAC_SHA256(secret,
 * "v0:" + timestamp + ":" + rawBody)` in X-Slack-Signature, the timestamp in
 * X-Slack-Request-Timestamp. Bodies start from the payload samples in test/fixtures/slack.
 */
const fixtures = new URL("../fixtures/slack/", import.meta.url);

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, fixtures), "utf8")) as T;
}

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, fixtures), "utf8").trim();
}

/** The console's signature (one implementation), under the name the tests use. */
export const sign = slackSignature;

export interface SignedPostOptions {
  secret: string;
  contentType: "application/json" | "application/x-www-form-urlencoded";
  /** Seconds since the epoch (default now). */
  timestamp?: number;
  /** Replace the computed signature (bad-signature tests). */
  signature?: string;
  headers?: Record<string, string>;
}

export async function signedPost(
  url: string,
  body: string,
  o: SignedPostOptions,
): Promise<{ status: number; text: string }> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": o.contentType,
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": o.signature ?? sign(o.secret, ts, body),
      ...o.headers,
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

let seq = 0;
/** A unique Slack-like ts (for messages the tests invent). */
export function nextTs(): string {
  seq += 1;
  return `1767225${String(700 + seq).padStart(3, "0")}.${String(seq).padStart(6, "0")}`;
}

/** The sample `/agent fix the build` form, with fields replaced. */
export function slashForm(overrides: Record<string, string>): string {
  const form = new URLSearchParams(fixtureText("slash_command.agent.form.txt"));
  form.set("trigger_id", `trig.${Math.random().toString(36).slice(2)}`);
  for (const [k, v] of Object.entries(overrides)) form.set(k, v);
  return form.toString();
}

type Json = Record<string, unknown>;

/** An Events API envelope from a sample, with `event` fields and the event id replaced. */
export function eventBody(sample: string, event: Json, envelope: Json = {}): string {
  const body = fixture<Json>(sample);
  body.event = { ...(body.event as Json), ...event };
  body.event_id = `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`;
  Object.assign(body, envelope);
  return JSON.stringify(body);
}

/** A block_actions form body from the cancel-button sample, with the click's fields replaced. */
export function actionForm(p: {
  userId: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  actionId: string;
  value: string;
  text?: string;
  responseUrl?: string;
}): string {
  const body = fixture<Json>("block_actions.cancel_button.json");
  body.user = { ...(body.user as Json), id: p.userId };
  body.container = {
    type: "message",
    message_ts: p.messageTs,
    channel_id: p.channel,
    is_ephemeral: false,
    ...(p.threadTs ? { thread_ts: p.threadTs } : {}),
  };
  body.channel = { id: p.channel, name: "builds" };
  body.message = { ...(body.message as Json), ts: p.messageTs, text: p.text ?? "" };
  body.actions = [
    { action_id: p.actionId, block_id: "b1", type: "button", value: p.value, action_ts: String(Date.now() / 1000) },
  ];
  if (p.responseUrl) body.response_url = p.responseUrl;
  return new URLSearchParams({ payload: JSON.stringify(body) }).toString();
}
