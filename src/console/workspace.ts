import { randomBytes } from "node:crypto";
import { sequenceTs, type TsSource } from "./ts-source.js";

/**
 * What a Slack workspace holds, as the Web API stand-in keeps it: channels, messages (threads are
 * messages with a `threadTs`), files, ephemeral notices and thread status lines. Every change is
 * announced to listeners (the console's live page, its database history).
 *
 * Bounds: messages and files are kept whole (a local workspace or a test's; the console loads at
 * most `HistoryLoadLimit` messages at start, see src/store/console-history.ts). Ephemeral notices
 * keep the latest `NoticeLimit`; older ones are dropped (Slack forgets them on reload anyway).
 */
export interface FileRef {
  id: string;
  name: string;
  title: string;
  filetype: string;
  size: number;
  mimetype?: string;
  /** Who shared it (default: the bot). */
  user?: string;
}

export interface StoredFile extends FileRef {
  content: string;
  /** Binary content (an image a person attached); `content` is then empty. */
  bytes?: Buffer;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks?: unknown;
  /** Set on the bot's own posts. */
  botId?: string;
  files?: FileRef[];
  /** Set once chat.update changed the message. */
  edited?: boolean;
  reactions?: { name: string; users: string[] }[];
  /** A streamed message (chat.startStream) still being written; false once stopped. */
  streaming?: boolean;
  /** Task updates of a streamed message (tool steps), latest per task id, in first-seen order. */
  tasks?: { id: string; title: string; status: string }[];
}

/** A thread's agent session (agents.sessions.setStatus). */
export interface AgentSession {
  channel: string;
  threadTs: string;
  status: string;
  title: string;
  initiator?: string;
}

export interface Channel {
  id: string;
  name: string;
  topic: string;
  /** A direct-message channel (conversations.open) with `user`. */
  isIm: boolean;
  user?: string;
}

/** A message only one person sees: chat.postEphemeral, a slash command's ack, a response_url post. */
export interface Notice {
  id: string;
  channel: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks?: unknown;
  ts: string;
}

export type WorkspaceChange =
  | { kind: "channel"; channel: Channel }
  | { kind: "message"; message: StoredMessage }
  | { kind: "message_deleted"; channel: string; ts: string }
  | { kind: "notice"; notice: Notice }
  | { kind: "status"; channel: string; threadTs: string; status: string }
  | { kind: "agent_session"; session: AgentSession }
  | { kind: "file"; file: StoredFile };

export const NoticeLimit = 200;

export class Workspace {
  readonly channels = new Map<string, Channel>();
  readonly messages: StoredMessage[] = [];
  readonly files = new Map<string, StoredFile>();
  /** Raw file uploads, in order (what the bot sent to each upload URL). */
  readonly uploads: { fileId: string; content: string }[] = [];
  readonly notices: Notice[] = [];
  /** Thread status lines (assistant.threads.setStatus), by `channel:threadTs`; empty means none. */
  readonly statuses = new Map<string, string>();
  /** Agent sessions of threads (agents.sessions.setStatus), by `channel:threadTs`. */
  readonly agentSessions = new Map<string, AgentSession>();
  readonly #listeners = new Set<(c: WorkspaceChange) => void>();

  constructor(readonly ts: TsSource = sequenceTs()) {}

  onChange(listener: (c: WorkspaceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: WorkspaceChange): void {
    for (const l of this.#listeners) l(change);
  }

  /** Replace the state with stored history (no change is announced). */
  load(h: { channels: Channel[]; messages: StoredMessage[]; files: StoredFile[] }): void {
    for (const c of h.channels) this.channels.set(c.id, c);
    this.messages.push(...h.messages);
    for (const f of h.files) this.files.set(f.id, f);
    for (const m of this.messages) this.ts.after(m.ts);
  }

  /** A new public channel; its name is made Slack-like (lower case, dashes). */
  addChannel(name: string, topic = ""): Channel {
    const clean = channelName(name);
    const existing = [...this.channels.values()].find((c) => c.name === clean);
    if (existing) return existing;
    const channel: Channel = {
      id: `C${randomBytes(5).toString("hex").toUpperCase()}`,
      name: clean,
      topic,
      isIm: false,
    };
    this.channels.set(channel.id, channel);
    this.#emit({ kind: "channel", channel });
    return channel;
  }

  /** The channel with this id, created (named after its id) if a message names one we do not know. */
  ensureChannel(id: string, make: () => Omit<Channel, "id"> = () => ({ name: id, topic: "", isIm: false })): Channel {
    const known = this.channels.get(id);
    if (known) return known;
    const channel: Channel = { id, ...make() };
    this.channels.set(id, channel);
    this.#emit({ kind: "channel", channel });
    return channel;
  }

  addMessage(m: Omit<StoredMessage, "ts"> & { ts?: string }): StoredMessage {
    const msg: StoredMessage = { ...m, ts: m.ts ?? this.ts.next() };
    this.messages.push(msg);
    this.#emit({ kind: "message", message: msg });
    return msg;
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** Messages of a thread (root first), as they are now. */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.messages.filter((m) => m.channel === channel && (m.ts === threadTs || m.threadTs === threadTs));
  }

  updateMessage(m: StoredMessage, patch: Partial<Omit<StoredMessage, "channel" | "ts">>): StoredMessage {
    Object.assign(m, patch);
    this.#emit({ kind: "message", message: m });
    return m;
  }

  deleteMessage(channel: string, ts: string): boolean {
    const i = this.messages.findIndex((m) => m.channel === channel && m.ts === ts);
    if (i < 0) return false;
    this.messages.splice(i, 1);
    this.#emit({ kind: "message_deleted", channel, ts });
    return true;
  }

  addNotice(n: Omit<Notice, "id" | "ts">): Notice {
    const notice: Notice = { ...n, id: randomBytes(6).toString("hex"), ts: this.ts.next() };
    this.notices.push(notice);
    if (this.notices.length > NoticeLimit) this.notices.splice(0, this.notices.length - NoticeLimit);
    this.#emit({ kind: "notice", notice });
    return notice;
  }

  setStatus(channel: string, threadTs: string, status: string): void {
    const key = `${channel}:${threadTs}`;
    if (status) this.statuses.set(key, status);
    else this.statuses.delete(key);
    this.#emit({ kind: "status", channel, threadTs, status });
  }

  /** Set a thread's agent session status; the title is kept from its creation (as Slack does). */
  setAgentSession(s: Omit<AgentSession, "title"> & { title?: string }): AgentSession {
    const key = `${s.channel}:${s.threadTs}`;
    const known = this.agentSessions.get(key);
    const session: AgentSession = known
      ? { ...known, status: s.status }
      : { channel: s.channel, threadTs: s.threadTs, status: s.status, title: s.title ?? "", initiator: s.initiator };
    this.agentSessions.set(key, session);
    this.#emit({ kind: "agent_session", session });
    return session;
  }

  addFile(file: StoredFile): void {
    this.files.set(file.id, file);
    this.#emit({ kind: "file", file });
  }
}

/** Slack channel names: lower case letters, digits, dashes and underscores, at most 80. */
export function channelName(name: string): string {
  return (
    name
      .trim()
      .replace(/^#/, "")
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "channel"
  );
}
