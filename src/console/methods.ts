import { randomBytes } from "node:crypto";
import { checkMessage } from "./checks.js";
import type { Params } from "./faults.js";
import type { FileRef, StoredMessage, Workspace } from "./workspace.js";

/**
 * The Web API methods the stand-in answers, on a Workspace, in Slack's answer shapes (see
 * test/fixtures/slack/web.*.json): auth.test, chat.postMessage / update / delete / postEphemeral /
 * getPermalink, conversations.replies / history / info / list / open, users.info, reactions.add /
 * remove, files.getUploadURLExternal / completeUploadExternal / info, assistant.threads.setStatus,
 * agents.sessions.setStatus, chat.startStream / appendStream / stopStream and apps.connections.open.
 * Anything else answers `unknown_method`, as Slack does.
 */
export interface Identity {
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
  botName: string;
  /** Display names users.info knows, by user id; other ids answer `user_not_found`. */
  users: Record<string, string>;
  /**
   * Slack's agent features as this workspace offers them: `available` (a paid workspace with the
   * app declared an agent), `refused` (agents.sessions.* and chat.*Stream answer `not_allowed`), or
   * `warn` (setStatus works with the `missing_agent_session_stopped_event_subscription` warning).
   */
  agentFeatures: "available" | "refused" | "warn";
}

export interface MethodContext {
  /** The server's own base URL (upload URLs point at it). */
  url: string;
  /** What apps.connections.open answers (Socket Mode tests). */
  socketUrl: string;
  /** Where parameter violations are recorded (a test asserts there were none). */
  violations: string[];
}

const SessionStatuses = new Set(["processing", "active", "suspended", "closed"]);

/** A chunk list as chat.*Stream take it (form-encoded: a JSON string the request parser has parsed). */
function chunksOf(p: Params): Params[] | undefined {
  if (p.chunks === undefined)
    return typeof p.markdown_text === "string" ? [{ type: "markdown_text", text: p.markdown_text }] : [];
  return Array.isArray(p.chunks) ? (p.chunks as Params[]) : undefined;
}

const extension = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "text";

export class WebApiMethods {
  /** Upload URLs handed out and not yet completed: file id → name (bounded by the bot's uploads in flight). */
  readonly #pending = new Map<string, { name: string; content?: string }>();

  constructor(
    readonly ws: Workspace,
    readonly id: Identity,
  ) {}

  /** The raw bytes the bot sent to an upload URL. */
  upload(fileId: string, content: string): void {
    this.ws.uploads.push({ fileId, content });
    const p = this.#pending.get(fileId);
    if (p) p.content = content;
  }

  #botMessage(m: StoredMessage): Params {
    const parent = m.threadTs ? this.ws.message(m.channel, m.threadTs) : undefined;
    return {
      type: "message",
      user: m.user,
      ts: m.ts,
      bot_id: this.id.botId,
      app_id: this.id.appId,
      text: m.text,
      team: this.id.teamId,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { thread_ts: m.threadTs, parent_user_id: parent?.user } : {}),
      bot_profile: { id: this.id.botId, app_id: this.id.appId, name: this.id.botName, team_id: this.id.teamId },
    };
  }

  /** A message as conversations.history / replies list it (in a thread listing every message has a thread_ts). */
  /** A file as Slack lists it in messages and files.info: url_private(_download) on this server. */
  fileObject(f: FileRef, url: string): Params {
    return {
      id: f.id,
      created: 1767225000,
      timestamp: 1767225000,
      name: f.name,
      title: f.title,
      mimetype: f.mimetype ?? "text/plain",
      filetype: f.filetype,
      pretty_type: f.filetype.toUpperCase(),
      user: f.user ?? this.id.botUserId,
      mode: "hosted",
      editable: false,
      is_external: false,
      external_type: "",
      size: f.size,
      url_private: `${url}/files-pri/${this.id.teamId}-${f.id}/${encodeURIComponent(f.name)}`,
      url_private_download: `${url}/files-pri/${this.id.teamId}-${f.id}/download/${encodeURIComponent(f.name)}`,
      permalink: `${url}/files/${f.user ?? this.id.botUserId}/${f.id}/${encodeURIComponent(f.name)}`,
    };
  }

  #asHistory(m: StoredMessage, inThread = false, url = ""): Params {
    const replies = m.threadTs ? [] : this.ws.messages.filter((r) => r.channel === m.channel && r.threadTs === m.ts);
    return {
      type: "message",
      user: m.user,
      text: m.text,
      ts: m.ts,
      ...(inThread || m.threadTs || replies.length ? { thread_ts: m.threadTs ?? m.ts } : {}),
      ...(replies.length ? { reply_count: replies.length } : {}),
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.files ? { files: m.files.map((f) => this.fileObject(f, url)) } : {}),
      ...(m.botId ? { bot_id: m.botId } : {}),
    };
  }

  #userInfo(id: string): Params | undefined {
    const name = id === this.id.botUserId ? this.id.botName : this.id.users[id];
    if (!name) return undefined;
    return {
      id,
      team_id: this.id.teamId,
      name,
      deleted: false,
      real_name: name,
      tz: "Europe/Berlin",
      is_bot: id === this.id.botUserId,
      is_admin: false,
      updated: 1767225000,
      profile: {
        real_name: name,
        real_name_normalized: name,
        display_name: name,
        display_name_normalized: name,
        team: this.id.teamId,
      },
    };
  }

  dispatch(method: string, p: Params, ctx: MethodContext): Params {
    const ws = this.ws;
    const channel = String(p.channel ?? p.channel_id ?? "");
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: `${ctx.url}/`,
          user_id: this.id.botUserId,
          bot_id: this.id.botId,
          team_id: this.id.teamId,
          team: this.id.teamName,
          user: this.id.botName,
        };
      case "chat.postMessage":
      case "chat.update": {
        const check = checkMessage(method, p);
        if (check.error) {
          ctx.violations.push(...check.problems.map((x) => `${method}: ${x}`));
          return { ok: false, error: check.error, errors: check.problems };
        }
        const text = String(p.text ?? "");
        if (method === "chat.update") {
          const m = ws.message(channel, String(p.ts));
          if (!m) return { ok: false, error: "message_not_found" };
          ws.updateMessage(m, { text, blocks: p.blocks, edited: true });
          return { ok: true, channel, ts: m.ts, text: m.text };
        }
        ws.ensureChannel(channel);
        const threadTs = typeof p.thread_ts === "string" && p.thread_ts ? p.thread_ts : undefined;
        const m = ws.addMessage({
          channel,
          threadTs,
          user: this.id.botUserId,
          botId: this.id.botId,
          text,
          blocks: p.blocks,
        });
        // Slack clears a thread's status line when the app replies in it.
        if (threadTs && ws.statuses.has(`${channel}:${threadTs}`)) ws.setStatus(channel, threadTs, "");
        return { ok: true, channel, ts: m.ts, message: this.#botMessage(m) };
      }
      case "chat.delete":
        return ws.deleteMessage(channel, String(p.ts))
          ? { ok: true, channel, ts: p.ts }
          : { ok: false, error: "message_not_found" };
      case "chat.postEphemeral": {
        if (!p.user) return { ok: false, error: "user_not_found" };
        const thread = typeof p.thread_ts === "string" && p.thread_ts ? p.thread_ts : undefined;
        const n = ws.addNotice({
          channel,
          threadTs: thread,
          user: String(p.user),
          text: String(p.text ?? ""),
          blocks: p.blocks,
        });
        return { ok: true, message_ts: n.ts };
      }
      case "chat.getPermalink":
        return { ok: true, channel, permalink: `${ctx.url}/#${channel}/${String(p.message_ts ?? "")}` };
      case "conversations.replies":
        return {
          ok: true,
          messages: ws
            .thread(channel, String(p.ts))
            .filter((m, i) => i === 0 || inWindow(m.ts, p))
            .map((m) => this.#asHistory(m, true, ctx.url)),
          has_more: false,
        };
      case "conversations.history": {
        const roots = ws.messages.filter((m) => m.channel === channel && !m.threadTs && inWindow(m.ts, p));
        const limit = Math.min(Number(p.limit ?? 100) || 100, 1000);
        return {
          ok: true,
          messages: roots
            .slice(-limit)
            .reverse()
            .map((m) => this.#asHistory(m, false, ctx.url)),
          has_more: false,
        };
      }
      case "conversations.info": {
        const c = ws.channels.get(channel);
        if (!c) return { ok: false, error: "channel_not_found" };
        return {
          ok: true,
          channel: { id: c.id, name: c.name, is_im: c.isIm, user: c.user, topic: { value: c.topic } },
        };
      }
      case "conversations.list":
        return {
          ok: true,
          channels: [...ws.channels.values()]
            .filter((c) => !c.isIm)
            .map((c) => ({ id: c.id, name: c.name, is_channel: true, is_member: true, topic: { value: c.topic } })),
          response_metadata: { next_cursor: "" },
        };
      case "conversations.open": {
        const user = String(p.users ?? "").split(",")[0] ?? "";
        if (!user) return { ok: false, error: "users_list_not_supplied" };
        const id = `D${user.replace(/^U/, "")}`;
        ws.ensureChannel(id, () => ({ name: this.id.users[user] ?? user, topic: "", isIm: true, user }));
        return { ok: true, channel: { id } };
      }
      case "apps.connections.open":
        return ctx.socketUrl ? { ok: true, url: ctx.socketUrl } : { ok: false, error: "invalid_auth" };
      case "assistant.threads.setStatus":
        ws.setStatus(channel, String(p.thread_ts ?? ""), String(p.status ?? ""));
        return { ok: true };
      case "agents.sessions.setStatus":
        return this.#agentStatus(channel, p);
      case "chat.startStream":
      case "chat.appendStream":
      case "chat.stopStream":
        return this.#stream(method, channel, p, ctx);
      case "files.info": {
        const f = ws.files.get(String(p.file ?? ""));
        return f ? { ok: true, file: this.fileObject(f, ctx.url) } : { ok: false, error: "file_not_found" };
      }
      case "users.info": {
        const user = this.#userInfo(String(p.user ?? ""));
        return user ? { ok: true, user } : { ok: false, error: "user_not_found" };
      }
      case "reactions.add":
      case "reactions.remove":
        return this.#react(method === "reactions.add", p);
      case "files.getUploadURLExternal": {
        // Random, so nobody can guess an upload URL (it takes a file's content unauthenticated, as Slack's does).
        const id = `F${randomBytes(8).toString("hex").toUpperCase()}`;
        this.#pending.set(id, { name: String(p.filename ?? "file") });
        return { ok: true, upload_url: `${ctx.url}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal":
        return this.#completeUpload(p);
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  /** agents.sessions.setStatus (docs.slack.dev reference/methods/agents.sessions.setStatus). */
  #agentStatus(channel: string, p: Params): Params {
    if (this.id.agentFeatures === "refused") return { ok: false, error: "not_allowed" };
    const status = String(p.status ?? "");
    if (!channel) return { ok: false, error: "channel_not_found" };
    if (!SessionStatuses.has(status)) return { ok: false, error: "invalid_arguments" };
    const threadTs = String(p.thread_ts ?? "");
    if (!threadTs) return { ok: false, error: "invalid_arguments" };
    this.ws.setAgentSession({
      channel,
      threadTs,
      status,
      title: typeof p.title === "string" ? p.title.slice(0, 200) : undefined,
      initiator: typeof p.initiator_user_id === "string" ? p.initiator_user_id : undefined,
    });
    return this.id.agentFeatures === "warn"
      ? { ok: true, warning: "missing_agent_session_stopped_event_subscription" }
      : { ok: true };
  }

  /**
   * chat.startStream / appendStream / stopStream (docs.slack.dev reference/methods/chat.startStream):
   * a streamed reply in a thread, its `markdown_text` chunks appended in the order they arrive and
   * its task updates kept per id; stopped, it takes `blocks` and is an ordinary message again.
   */
  #stream(method: string, channel: string, p: Params, ctx: MethodContext): Params {
    if (this.id.agentFeatures === "refused") return { ok: false, error: "not_allowed" };
    const chunks = chunksOf(p);
    if (!chunks) return { ok: false, error: "invalid_chunks" };
    for (const c of chunks) {
      const text = typeof c.text === "string" ? c.text : "";
      if (c.type === "markdown_text" && text.length > 12_000) {
        ctx.violations.push(`${method}: markdown_text of ${text.length} characters (at most 12,000)`);
        return { ok: false, error: "msg_too_long" };
      }
    }
    const addText = (m: StoredMessage) => {
      let text = m.text;
      const tasks = [...(m.tasks ?? [])];
      for (const c of chunks) {
        if (c.type === "markdown_text") text += String(c.text ?? "");
        if (c.type === "task_update") {
          const t = { id: String(c.id ?? ""), title: String(c.title ?? ""), status: String(c.status ?? "") };
          const i = tasks.findIndex((x) => x.id === t.id);
          if (i >= 0) tasks[i] = { ...t, title: t.title || tasks[i]!.title };
          else tasks.push(t);
        }
      }
      return { text, tasks };
    };
    if (method === "chat.startStream") {
      const threadTs = typeof p.thread_ts === "string" ? p.thread_ts : "";
      if (!threadTs) return { ok: false, error: "invalid_arguments" };
      const c = this.ws.ensureChannel(channel);
      if (!c.isIm && (!p.recipient_user_id || !p.recipient_team_id)) {
        ctx.violations.push(`${method}: recipient_user_id and recipient_team_id are required outside DMs`);
        return { ok: false, error: "invalid_arguments" };
      }
      const { text, tasks } = addText({ channel, ts: "", user: "", text: "" });
      const m = this.ws.addMessage({
        channel,
        threadTs,
        user: this.id.botUserId,
        botId: this.id.botId,
        text,
        streaming: true,
        ...(tasks.length ? { tasks } : {}),
      });
      if (this.ws.statuses.has(`${channel}:${threadTs}`)) this.ws.setStatus(channel, threadTs, "");
      return { ok: true, channel, ts: m.ts };
    }
    const m = this.ws.message(channel, String(p.ts ?? ""));
    if (!m) return { ok: false, error: "message_not_found" };
    if (!m.streaming) return { ok: false, error: "message_not_in_streaming_state" };
    const { text, tasks } = addText(m);
    const patch: Partial<StoredMessage> = { text, ...(tasks.length ? { tasks } : {}) };
    if (method === "chat.stopStream") {
      patch.streaming = false;
      const blocks = Array.isArray(p.blocks) ? (p.blocks as unknown[]) : [];
      patch.blocks = [{ type: "markdown", text }, ...blocks];
    }
    this.ws.updateMessage(m, patch);
    return method === "chat.stopStream"
      ? { ok: true, channel, ts: m.ts, message: this.#botMessage(m) }
      : { ok: true, channel, ts: m.ts };
  }

  #react(add: boolean, p: Params): Params {
    const m = this.ws.message(String(p.channel ?? ""), String(p.timestamp ?? ""));
    if (!m) return { ok: false, error: "message_not_found" };
    const name = String(p.name ?? "");
    const reactions = [...(m.reactions ?? [])];
    const r = reactions.find((x) => x.name === name);
    const user = this.id.botUserId;
    if (add) {
      if (r?.users.includes(user)) return { ok: false, error: "already_reacted" };
      if (r) r.users.push(user);
      else reactions.push({ name, users: [user] });
    } else {
      if (!r?.users.includes(user)) return { ok: false, error: "no_reaction" };
      r.users = r.users.filter((u) => u !== user);
    }
    this.ws.updateMessage(m, { reactions: reactions.filter((x) => x.users.length) });
    return { ok: true };
  }

  #completeUpload(p: Params): Params {
    const listed = (Array.isArray(p.files) ? p.files : []) as Params[];
    const refs: FileRef[] = [];
    for (const f of listed) {
      const id = String(f.id ?? "");
      const pending = this.#pending.get(id);
      if (!pending) return { ok: false, error: "file_not_found" };
      this.#pending.delete(id);
      const content = pending.content ?? "";
      const ref: FileRef = {
        id,
        name: pending.name,
        title: String(f.title ?? pending.name),
        filetype: extension(pending.name),
        size: Buffer.byteLength(content, "utf8"),
      };
      this.ws.addFile({ ...ref, content });
      refs.push(ref);
    }
    const channel = typeof p.channel_id === "string" ? p.channel_id : undefined;
    if (channel) {
      this.ws.ensureChannel(channel);
      this.ws.addMessage({
        channel,
        threadTs: typeof p.thread_ts === "string" && p.thread_ts ? p.thread_ts : undefined,
        user: this.id.botUserId,
        botId: this.id.botId,
        text: typeof p.initial_comment === "string" ? p.initial_comment : "",
        files: refs,
      });
    }
    return { ok: true, files: refs.map((r) => ({ id: r.id, title: r.title, name: r.name })) };
  }
}

/** conversations.history / replies' `oldest` / `latest` (with `inclusive`) window over message ts. */
function inWindow(ts: string, p: Params): boolean {
  const inclusive = p.inclusive === true || p.inclusive === "true" || p.inclusive === "1";
  const t = Number(ts);
  if (p.oldest !== undefined && (inclusive ? t < Number(p.oldest) : t <= Number(p.oldest))) return false;
  if (p.latest !== undefined && (inclusive ? t > Number(p.latest) : t >= Number(p.latest))) return false;
  return true;
}
