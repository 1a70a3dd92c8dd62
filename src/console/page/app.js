// The console page: its state (the workspace as the server streams it over SSE), the calls it
// makes (say, click, add a channel) and the routing (#C… a channel, #C…/ts a thread).
import { View } from "./view.js";

const state = {
  me: { id: "", name: "" },
  bot: { id: "", name: "codethread" },
  team: { id: "", name: "" },
  users: {},
  channels: new Map(),
  /** "channel:ts" → message */
  messages: new Map(),
  notices: [],
  /** "channel:threadTs" → status line */
  statuses: new Map(),
  /** "channel:threadTs" → the thread's agent session (status, title) */
  agentSessions: new Map(),
  current: "",
  thread: null,
  connected: false,
  live: false,
};

const key = (channel, ts) => `${channel}:${ts}`;

async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok || answer.ok === false) throw new Error(answer.error || `HTTP ${res.status}`);
  return answer;
}

const files = new Map();
function fileText(id) {
  if (!files.has(id)) {
    files.set(
      id,
      fetch(`/console/files/${id}`).then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status))))),
    );
  }
  return files.get(id);
}

const view = new View(state, {
  say: (channel, text, threadTs, files) => post("/console/api/say", { channel, text, threadTs, files }),
  stop: (channel, threadTs) => post("/console/api/stop", { channel, threadTs }),
  click: (m, element) =>
    post("/console/api/click", { channel: m.channel, ts: m.ts, actionId: element.action_id, value: element.value }),
  addChannel: (name) => post("/console/api/channels", { name }),
  dismiss: (id) => {
    state.notices = state.notices.filter((n) => n.id !== id);
    view.noticeGone(id);
  },
  fileText,
  go: (channel, threadTs) => {
    location.hash = threadTs ? `${channel}/${threadTs}` : channel;
  },
});

function route() {
  const [channel, threadTs] = decodeURIComponent(location.hash.slice(1)).split("/");
  const first = [...state.channels.values()].find((c) => !c.isIm);
  const target = state.channels.has(channel) ? channel : (first?.id ?? "");
  const thread = threadTs && state.messages.has(key(target, threadTs)) ? { channel: target, ts: threadTs } : null;
  const changed = target !== state.current;
  state.current = target;
  state.thread = thread;
  if (changed) view.renderChannel();
  view.renderSidebar();
  view.renderThread();
}

function applySnapshot(s) {
  state.me = s.me;
  state.bot = s.bot;
  state.team = s.team;
  state.users = s.users;
  state.connected = s.connected;
  state.channels = new Map(s.channels.map((c) => [c.id, c]));
  state.messages = new Map(s.messages.map((m) => [key(m.channel, m.ts), m]));
  state.statuses = new Map(s.statuses.map((x) => [key(x.channel, x.threadTs), x.status]));
  state.agentSessions = new Map((s.agentSessions ?? []).map((x) => [key(x.channel, x.threadTs), x]));
  document.title = `${state.team.name} · codethread local console`;
  state.current = "";
  route();
  view.renderChrome();
}

function connect() {
  const events = new EventSource("/console/events");
  const on = (name, fn) => events.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  events.addEventListener("open", () => {
    state.live = true;
    view.renderChrome();
  });
  events.addEventListener("error", () => {
    state.live = false;
    view.renderChrome();
  });
  on("snapshot", applySnapshot);
  on("connected", () => {
    state.connected = true;
    view.renderChrome();
  });
  on("channel", ({ channel }) => {
    state.channels.set(channel.id, channel);
    view.renderSidebar();
  });
  on("message", ({ message }) => {
    const isNew = !state.messages.has(key(message.channel, message.ts));
    state.messages.set(key(message.channel, message.ts), message);
    view.messageChanged(message, isNew);
  });
  on("message_deleted", ({ channel, ts }) => {
    const m = state.messages.get(key(channel, ts));
    state.messages.delete(key(channel, ts));
    if (m) view.messageGone(m);
  });
  on("notice", ({ notice }) => {
    state.notices.push(notice);
    view.noticeAdded(notice);
  });
  on("agent_session", ({ session }) => {
    state.agentSessions.set(key(session.channel, session.threadTs), session);
    view.statusChanged(session.channel, session.threadTs);
  });
  on("status", ({ channel, threadTs, status }) => {
    if (status) state.statuses.set(key(channel, threadTs), status);
    else state.statuses.delete(key(channel, threadTs));
    view.statusChanged(channel, threadTs);
  });
}

window.addEventListener("hashchange", route);
connect();
