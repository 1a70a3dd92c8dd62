import { CodethreadError } from "../errors.js";
import type { Logger } from "../log.js";
import type { AckResult, EventsSender } from "./events-sender.js";
import type { Params } from "./faults.js";
import {
  agentSessionStoppedEvent,
  blockActionsPayload,
  type ClickedButton,
  eventEnvelope,
  fileShare,
  messageEvent,
  type Person,
  type SenderIdentity,
  slashCommandForm,
} from "./payloads.js";
import type { SlackWebApi } from "./slack-web-api.js";
import type { Channel, StoredMessage } from "./workspace.js";

/**
 * What the person at the console does, done as Slack would do it for them: a typed message is
 * stored in the channel and delivered to the app as `message` (and `app_mention` when it mentions
 * the bot); a slash command is POSTed with a fresh response_url and its ack shown to them only; a
 * button click is POSTed as block_actions with the message it was on.
 */
export class ConsolePerson {
  constructor(
    private readonly api: SlackWebApi,
    private readonly sender: EventsSender,
    readonly me: Person,
    private readonly log: Logger,
  ) {}

  get identity(): SenderIdentity {
    const id = this.api.identity;
    return { teamId: id.teamId, teamDomain: id.teamName, apiAppId: id.appId, botUserId: id.botUserId, botId: id.botId };
  }

  #channel(id: string): Channel {
    const c = this.api.workspace.channels.get(id);
    if (!c) throw new ErrUnknown("channel", id);
    return c;
  }

  /** What the composer holds, as Slack's client sends it: `&<>` escaped, @names and #channels as mentions. */
  slackText(typed: string): string {
    const ws = this.api.workspace;
    const names = new Map<string, string>([[this.api.identity.botName, this.api.botUserId]]);
    for (const [id, name] of Object.entries(this.api.identity.users)) names.set(name, id);
    return typed
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/(^|[\s(])@([\w.-]+)/g, (all, pre: string, name: string) => {
        const id = names.get(name);
        return id ? `${pre}<@${id}>` : all;
      })
      .replace(/(^|[\s(])#([\w-]+)/g, (all, pre: string, name: string) => {
        const c = [...ws.channels.values()].find((x) => x.name === name && !x.isIm);
        return c ? `${pre}<#${c.id}|${c.name}>` : all;
      });
  }

  /**
   * Post a message (a thread reply when `threadTs` is set) and deliver its events. Files attached
   * are stored as Slack keeps them (url_private for the bot token) and shared with the message:
   * its `message` event is a `file_share` carrying them; its `app_mention`, as Slack's, carries none.
   */
  async say(p: {
    channel: string;
    text: string;
    threadTs?: string;
    files?: { name: string; mimetype: string; content: Buffer }[];
  }): Promise<StoredMessage> {
    const channel = this.#channel(p.channel);
    const ws = this.api.workspace;
    const root = p.threadTs ? ws.message(channel.id, p.threadTs) : undefined;
    if (p.threadTs && !root) throw new ErrUnknown("thread", p.threadTs);
    const m = ws.addMessage({
      channel: channel.id,
      threadTs: p.threadTs,
      user: this.me.id,
      text: this.slackText(p.text),
      ...(p.files?.length ? { files: p.files.map((f) => this.api.addUserFile({ user: this.me.id, ...f })) } : {}),
    });
    const id = this.identity;
    const event = messageEvent(id, "message", m, { isIm: channel.isIm, parentUserId: root?.user });
    if (m.files) Object.assign(event, fileShare(m.files.map((f) => this.api.fileObject(f))));
    const deliveries: Promise<AckResult>[] = [this.sender.event(eventEnvelope(id, event))];
    if (!channel.isIm && m.text.includes(`<@${id.botUserId}>`)) {
      deliveries.push(
        this.sender.event(
          eventEnvelope(id, messageEvent(id, "app_mention", m, { isIm: false, parentUserId: root?.user })),
        ),
      );
    }
    void Promise.all(deliveries).then((results) => {
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) this.log.warn({ reason: failed.reason }, "the app did not take a message event");
    });
    return m;
  }

  /** Press Slack's own stop button on a thread's agent session: an `agent_session_stopped` event. */
  async stop(p: { channel: string; threadTs: string }): Promise<void> {
    const channel = this.#channel(p.channel);
    const event = agentSessionStoppedEvent({ channel: channel.id, threadTs: p.threadTs, user: this.me.id });
    const ack = await this.sender.event(eventEnvelope(this.identity, event));
    if (!ack.ok) this.log.warn({ reason: ack.reason }, "the app did not take the stop event");
  }

  /** Run `/command text` in a channel; the app's ack (or Slack's error) is shown to this person only. */
  async command(p: { channel: string; command: string; text: string; threadTs?: string }): Promise<void> {
    const channel = this.#channel(p.channel);
    const ws = this.api.workspace;
    const notice = (text: string) =>
      ws.addNotice({ channel: channel.id, threadTs: p.threadTs, user: this.me.id, text });
    if (p.threadTs) {
      notice(
        `${p.command} can't be used in a thread: Slack sends slash commands without one. Mention @codethread in the thread instead.`,
      );
      return;
    }
    const responseUrl = this.api.responseUrl(this.api.responseUrls.issue({ channel: channel.id, user: this.me.id }));
    const form = slashCommandForm(this.identity, {
      channel: { id: channel.id, name: channel.name },
      user: this.me,
      command: p.command,
      text: this.slackText(p.text),
      responseUrl,
    });
    const ack = await this.sender.command(form);
    if (!ack.ok) {
      notice(
        `${p.command} failed with the error "${ack.reason === "http_timeout" ? "operation_timeout" : "dispatch_failed"}"`,
      );
      return;
    }
    const body = parseAck(ack);
    if (!body) return;
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (body.response_type === "in_channel") {
      ws.addMessage({ channel: channel.id, user: this.api.botUserId, botId: this.api.identity.botId, text, blocks });
    } else if (text || blocks) {
      ws.addNotice({ channel: channel.id, user: this.me.id, text, blocks });
    }
  }

  /** Click a button (by action id, and value when several share one) on a message. */
  async click(p: { channel: string; ts: string; actionId: string; value?: string }): Promise<void> {
    const channel = this.#channel(p.channel);
    const message = this.api.workspace.message(channel.id, p.ts);
    if (!message) throw new ErrUnknown("message", p.ts);
    const button = findButton(message.blocks, p.actionId, p.value);
    if (!button) throw new ErrUnknown("button", p.actionId);
    const responseUrl = this.api.responseUrl(
      this.api.responseUrls.issue({
        channel: channel.id,
        user: this.me.id,
        messageTs: message.ts,
        threadTs: message.threadTs,
      }),
    );
    const ack = await this.sender.action(
      blockActionsPayload(this.identity, {
        user: this.me,
        channel: { id: channel.id, name: channel.name },
        message,
        button,
        responseUrl,
      }),
    );
    if (!ack.ok) {
      this.api.workspace.addNotice({
        channel: channel.id,
        threadTs: message.threadTs,
        user: this.me.id,
        text: `:warning: codethread did not answer the click on "${button.text}" (${ack.reason}).`,
      });
    }
  }
}

function parseAck(ack: Extract<AckResult, { ok: true }>): Params | undefined {
  if (!ack.body.trim()) return undefined;
  if (!ack.contentType.includes("json")) return { text: ack.body };
  try {
    const v: unknown = JSON.parse(ack.body);
    return v && typeof v === "object" ? (v as Params) : undefined;
  } catch {
    return { text: ack.body };
  }
}

/** The button with this action id (and value) in a message's actions blocks or section accessories. */
export function findButton(blocks: unknown, actionId: string, value?: string): ClickedButton | undefined {
  if (!Array.isArray(blocks)) return undefined;
  let n = 0;
  for (const raw of blocks as Params[]) {
    n += 1;
    const blockId = typeof raw.block_id === "string" ? raw.block_id : `b${n}`;
    const elements = raw.type === "actions" && Array.isArray(raw.elements) ? (raw.elements as Params[]) : [];
    const candidates = raw.accessory ? [...elements, raw.accessory as Params] : elements;
    for (const e of candidates) {
      if (e.type !== "button" || e.action_id !== actionId) continue;
      if (value !== undefined && e.value !== value) continue;
      const text = (e.text as Params | undefined)?.text;
      return {
        action_id: actionId,
        block_id: blockId,
        value: typeof e.value === "string" ? e.value : "",
        text: typeof text === "string" ? text : "",
        ...(typeof e.style === "string" ? { style: e.style } : {}),
      };
    }
  }
  return undefined;
}

/** The page named a channel, thread, message or button the workspace does not have (answered 404). */
export class ErrUnknown extends CodethreadError {
  constructor(what: string, id: string) {
    super("console_unknown", `No such ${what}: ${id}`, { what, id });
  }
}
