import { randomBytes, randomUUID } from "node:crypto";
import type { Params } from "./faults.js";
import type { StoredMessage } from "./workspace.js";

/**
 * What Slack sends an app, built field for field like the samples in test/fixtures/slack
 * (slash_command.agent.form.txt, event.app_mention.json, event.message.thread_reply.json,
 * block_actions.cancel_button.json; test/console/payloads.test.ts holds the two to the same keys).
 */
export interface SenderIdentity {
  teamId: string;
  teamDomain: string;
  apiAppId: string;
  botUserId: string;
  botId: string;
}

export interface Person {
  id: string;
  name: string;
}

/** Slack still sends the legacy verification token; Bolt ignores it (signatures replaced it). */
const VerificationToken = "verification-token-unused";

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");

export function triggerId(): string {
  return `${digits(10)}.${digits(10)}.${randomBytes(16).toString("hex")}`;
}

export function eventId(): string {
  return `Ev${randomBytes(6).toString("hex").toUpperCase()}`;
}

/** A slash command as Slack POSTs it: form-encoded, every value a string, in Slack's field order. */
export function slashCommandForm(
  id: SenderIdentity,
  c: { channel: { id: string; name: string }; user: Person; command: string; text: string; responseUrl: string },
): string {
  return new URLSearchParams({
    token: VerificationToken,
    team_id: id.teamId,
    team_domain: id.teamDomain,
    channel_id: c.channel.id,
    channel_name: c.channel.name,
    user_id: c.user.id,
    user_name: c.user.name,
    command: c.command,
    text: c.text,
    api_app_id: id.apiAppId,
    is_enterprise_install: "false",
    response_url: c.responseUrl,
    trigger_id: triggerId(),
  }).toString();
}

/** The rich_text block Slack's clients attach to a typed message: text, user, channel and link elements. */
export function richTextOf(text: string): Params[] {
  const elements: Params[] = [];
  const re = /<(@[UW][A-Z0-9]+|#C[A-Z0-9]+|https?:\/\/[^|>]+)(?:\|([^>]*))?>/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) elements.push({ type: "text", text: text.slice(at, m.index) });
    const [ref, label] = [m[1]!, m[2]];
    if (ref.startsWith("@")) elements.push({ type: "user", user_id: ref.slice(1) });
    else if (ref.startsWith("#")) elements.push({ type: "channel", channel_id: ref.slice(1) });
    else elements.push({ type: "link", url: ref, ...(label ? { text: label } : {}) });
    at = m.index + m[0].length;
  }
  if (at < text.length) elements.push({ type: "text", text: text.slice(at) });
  return [
    {
      type: "rich_text",
      block_id: randomBytes(3).toString("base64url"),
      elements: [{ type: "rich_text_section", elements }],
    },
  ];
}

/** The `event` of a person's message: `message` (channel or DM) or `app_mention`. */
export function messageEvent(
  id: SenderIdentity,
  type: "message" | "app_mention",
  m: StoredMessage,
  o: { isIm: boolean; parentUserId?: string },
): Params {
  return {
    type,
    user: m.user,
    text: m.text,
    ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs, ...(o.parentUserId ? { parent_user_id: o.parentUserId } : {}) } : {}),
    client_msg_id: randomUUID(),
    team: id.teamId,
    channel: m.channel,
    event_ts: m.ts,
    ...(type === "message" ? { channel_type: o.isIm ? "im" : "channel" } : {}),
    blocks: richTextOf(m.text),
  };
}

/** What a `message` event adds when files are shared with it (java-slack-sdk MessageFileSharePayload.json). */
export function fileShare(files: Params[]): Params {
  return { subtype: "file_share", files, upload: false, display_as_bot: false };
}

/** Slack's stop button pressed on a thread's agent session (docs.slack.dev reference/events/agent_session_stopped). */
export function agentSessionStoppedEvent(s: { channel: string; threadTs: string; user: string }): Params {
  return {
    type: "agent_session_stopped",
    channel: s.channel,
    thread_ts: s.threadTs,
    user: s.user,
    event_ts: (Date.now() / 1000).toFixed(6),
    streaming_message_ts: [],
  };
}

/** The Events API envelope around one event. */
export function eventEnvelope(id: SenderIdentity, event: Params): Params {
  return {
    token: VerificationToken,
    team_id: id.teamId,
    context_team_id: id.teamId,
    context_enterprise_id: null,
    api_app_id: id.apiAppId,
    event,
    type: "event_callback",
    event_id: eventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: id.teamId,
        user_id: id.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: id.teamId })).toString("base64url")}`,
  };
}

export interface ClickedButton {
  action_id: string;
  block_id: string;
  value: string;
  text: string;
  style?: string;
}

/** A button click as Slack POSTs it (the form field `payload`, JSON): who, where, the message, the action. */
export function blockActionsPayload(
  id: SenderIdentity,
  c: {
    user: Person;
    channel: { id: string; name: string };
    message: StoredMessage;
    button: ClickedButton;
    responseUrl: string;
  },
): Params {
  const m = c.message;
  return {
    type: "block_actions",
    user: { id: c.user.id, username: c.user.name, name: c.user.name, team_id: id.teamId },
    api_app_id: id.apiAppId,
    token: VerificationToken,
    container: {
      type: "message",
      message_ts: m.ts,
      channel_id: m.channel,
      is_ephemeral: false,
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    },
    trigger_id: triggerId(),
    team: { id: id.teamId, domain: id.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: c.channel,
    message: {
      type: "message",
      subtype: null,
      text: m.text,
      user: m.user,
      ...(m.botId ? { bot_id: m.botId, app_id: id.apiAppId } : {}),
      ts: m.ts,
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      team: id.teamId,
      blocks: m.blocks ?? [],
    },
    state: { values: {} },
    response_url: c.responseUrl,
    actions: [
      {
        action_id: c.button.action_id,
        block_id: c.button.block_id,
        text: { type: "plain_text", text: c.button.text, emoji: true },
        value: c.button.value,
        ...(c.button.style ? { style: c.button.style } : {}),
        type: "button",
        action_ts: (Date.now() / 1000).toFixed(6),
      },
    ],
  };
}
