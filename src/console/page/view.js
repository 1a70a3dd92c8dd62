// What the page shows, kept in step with the state: the sidebar (channels, direct messages),
// the open channel (header, local-console banner, messages, composer) and the thread pane.
// Changes replace only the messages they touch, so a live run card updates in place.
import { composer } from "./composer.js";
import { append, h } from "./dom.js";
import { renderMessage, renderNotice } from "./message.js";

const byTs = (a, b) => Number(a.ts) - Number(b.ts);
const near = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 160;

export class View {
  constructor(state, actions) {
    this.s = state;
    this.a = actions;
    this.unread = new Set();
    this.sidebar = document.getElementById("sidebar");
    this.channelEl = document.getElementById("channel");
    this.threadEl = document.getElementById("thread");
    this.liveEl = document.getElementById("live");
    this.list = null;
    this.threadList = null;
  }

  ctx() {
    const s = this.s;
    return {
      meId: s.me.id,
      botId: s.bot.id,
      userName: (id) => s.users[id] ?? (id === s.bot.id ? s.bot.name : id),
      channelName: (id) => s.channels.get(id)?.name ?? id,
      openChannel: (id, e) => {
        e?.preventDefault();
        this.a.go(id);
      },
      openThread: (channel, ts) => this.a.go(channel, ts),
      repliesOf: (channel, ts) =>
        [...s.messages.values()].filter((m) => m.channel === channel && m.threadTs === ts).sort(byTs),
      click: (m, element, button) => {
        button.disabled = true;
        button.classList.add("busy");
        this.a
          .click(m, element)
          .catch((err) => alertIn(button, err))
          .finally(() => {
            button.disabled = false;
            button.classList.remove("busy");
          });
      },
      fileUrl: (id) => `/console/files/${id}`,
      fileText: this.a.fileText,
    };
  }

  renderChrome() {
    const s = this.s;
    this.liveEl.textContent = !s.live
      ? "Reconnecting…"
      : s.connected
        ? "codethread is connected"
        : "codethread is starting…";
    this.liveEl.className = `live ${s.live && s.connected ? "live-ok" : "live-wait"}`;
    document.getElementById("team-name").textContent = s.team.name || "workspace";
  }

  renderSidebar() {
    const s = this.s;
    const entry = (c) => {
      const label = c.isIm ? [h("span", { class: "dm-dot" }), c.name] : [h("span", { class: "hash" }, "#"), c.name];
      return h(
        "a",
        {
          class: `side-item${c.id === s.current ? " active" : ""}${this.unread.has(c.id) ? " unread" : ""}`,
          href: `#${c.id}`,
          dataset: { channel: c.id },
        },
        label,
        c.isIm ? h("span", { class: "app-badge small" }, "APP") : null,
      );
    };
    const all = [...s.channels.values()];
    const adder = h("input", {
      class: "side-add-input",
      placeholder: "new-channel",
      hidden: true,
      "aria-label": "New channel name",
    });
    adder.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && adder.value.trim()) {
        this.a.addChannel(adder.value.trim()).then((r) => this.a.go(r.channel.id));
      } else if (e.key === "Escape") adder.hidden = true;
    });
    this.sidebar.replaceChildren();
    append(this.sidebar, [
      h("div", { class: "side-section" }, "Channels"),
      all.filter((c) => !c.isIm).map(entry),
      h(
        "button",
        {
          class: "side-item side-add",
          type: "button",
          onclick: () => {
            adder.hidden = false;
            adder.focus();
          },
        },
        h("span", { class: "hash" }, "+"),
        "Add channel",
      ),
      adder,
      h("div", { class: "side-section" }, "Direct messages"),
      all.filter((c) => c.isIm).map(entry),
      h(
        "div",
        { class: "side-foot" },
        h("div", { class: "side-you" }, "You are ", h("b", {}, s.me.name)),
        h("div", {}, "Local console · nothing leaves this machine"),
      ),
    ]);
  }

  renderChannel() {
    const s = this.s;
    const c = s.channels.get(s.current);
    this.unread.delete(s.current);
    if (!c) return this.channelEl.replaceChildren(h("div", { class: "empty" }, "No channel"));
    this.list = h("div", { class: "message-list", role: "log", "aria-label": `Messages in ${c.name}` });
    for (const m of [...s.messages.values()].filter((x) => x.channel === c.id && !x.threadTs).sort(byTs)) {
      this.list.append(this.messageNode(m));
    }
    for (const n of s.notices.filter((x) => x.channel === c.id && !x.threadTs))
      insertSorted(this.list, this.noticeNode(n), n.ts);
    const box = composer({
      placeholder: c.isIm ? `Message ${c.name}` : `Message #${c.name}`,
      onSend: (text, files) => this.a.say(c.id, text, undefined, files),
    });
    this.channelEl.replaceChildren(
      h(
        "header",
        { class: "channel-header" },
        h("div", { class: "channel-title" }, c.isIm ? "" : h("span", { class: "hash" }, "#"), c.name),
        c.topic ? h("div", { class: "channel-topic" }, c.topic) : null,
      ),
      banner(),
      this.list,
      box.el,
    );
    this.list.scrollTop = this.list.scrollHeight;
    box.focus();
  }

  renderThread() {
    const t = this.s.thread;
    this.threadEl.hidden = !t;
    document.body.classList.toggle("with-thread", Boolean(t));
    if (!t) {
      this.threadList = null;
      return;
    }
    const root = this.s.messages.get(`${t.channel}:${t.ts}`);
    this.threadList = h("div", { class: "thread-list", role: "log", "aria-label": "Thread" });
    if (root) this.threadList.append(this.messageNode(root, true));
    const replies = this.ctx().repliesOf(t.channel, t.ts);
    this.threadList.append(
      h(
        "div",
        { class: "reply-divider", dataset: { sort: `${t.ts}1` } },
        h("span", {}, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`),
      ),
    );
    for (const m of replies) this.threadList.append(this.messageNode(m, true));
    for (const n of this.s.notices.filter((x) => x.channel === t.channel && x.threadTs === t.ts)) {
      insertSorted(this.threadList, this.noticeNode(n), n.ts);
    }
    const box = composer({
      placeholder: "Reply…",
      label: "Reply in thread",
      onSend: (text, files) => this.a.say(t.channel, text, t.ts, files),
    });
    const channel = this.s.channels.get(t.channel);
    this.threadEl.replaceChildren(
      h(
        "header",
        { class: "thread-header" },
        h(
          "div",
          {},
          h("b", {}, "Thread"),
          h("span", { class: "thread-channel" }, channel?.isIm ? channel.name : `# ${channel?.name ?? ""}`),
        ),
        h(
          "button",
          { class: "thread-close", type: "button", "aria-label": "Close thread", onclick: () => this.a.go(t.channel) },
          "✕",
        ),
      ),
      this.threadList,
      h("div", { class: "thread-status", "aria-live": "polite" }),
      box.el,
    );
    this.statusChanged(t.channel, t.ts);
    this.threadList.scrollTop = this.threadList.scrollHeight;
    box.focus();
  }

  messageNode(m, inThread = false) {
    const el = renderMessage(m, this.ctx(), { inThread });
    el.dataset.key = `${m.channel}:${m.ts}`;
    el.dataset.sort = m.ts;
    return el;
  }

  noticeNode(n) {
    const el = renderNotice(n, this.ctx(), () => this.a.dismiss(n.id));
    el.dataset.key = `n:${n.id}`;
    el.dataset.sort = n.ts;
    return el;
  }

  messageChanged(m, isNew) {
    const s = this.s;
    if (m.channel === s.current && this.list) {
      const rootTs = m.threadTs ?? m.ts;
      const root = s.messages.get(`${m.channel}:${rootTs}`);
      if (root) upsert(this.list, this.messageNode(root), root.ts);
    } else if (isNew && m.user !== s.me.id) {
      this.unread.add(m.channel);
      this.renderSidebar();
    }
    const t = s.thread;
    if (t && this.threadList && m.channel === t.channel && (m.ts === t.ts || m.threadTs === t.ts)) {
      upsert(this.threadList, this.messageNode(m, true), m.ts);
      const n = this.ctx().repliesOf(t.channel, t.ts).length;
      const divider = this.threadList.querySelector(".reply-divider span");
      if (divider) divider.textContent = `${n} ${n === 1 ? "reply" : "replies"}`;
    }
  }

  messageGone(m) {
    for (const list of [this.list, this.threadList])
      list?.querySelector(`[data-key="${CSS.escape(`${m.channel}:${m.ts}`)}"]`)?.remove();
    if (m.threadTs) this.messageChanged({ ...m, ts: m.threadTs, threadTs: undefined }, false);
  }

  noticeAdded(n) {
    const t = this.s.thread;
    if (n.threadTs && t && n.channel === t.channel && n.threadTs === t.ts && this.threadList)
      upsert(this.threadList, this.noticeNode(n), n.ts);
    else if (!n.threadTs && n.channel === this.s.current && this.list) upsert(this.list, this.noticeNode(n), n.ts);
  }

  noticeGone(id) {
    for (const el of document.querySelectorAll(`[data-key="n:${CSS.escape(id)}"]`)) el.remove();
  }

  statusChanged(channel, threadTs) {
    const t = this.s.thread;
    if (!t || t.channel !== channel || t.ts !== threadTs) return;
    const el = this.threadEl.querySelector(".thread-status");
    const status = this.s.statuses.get(`${channel}:${threadTs}`);
    // Slack's own agent session: while it is processing, its title and the native stop button.
    const session = this.s.agentSessions.get(`${channel}:${threadTs}`);
    const working = session?.status === "processing";
    const stop = h(
      "button",
      {
        class: "agent-stop",
        type: "button",
        title: "Stop (Slack's own stop button)",
        onclick: () => this.a.stop(channel, threadTs),
      },
      "■ Stop",
    );
    if (el)
      el.replaceChildren(
        ...(status ? [h("span", { class: "typing" }, h("i"), h("i"), h("i")), ` ${this.s.bot.name} ${status}`] : []),
        ...(working
          ? [
              h(
                "span",
                { class: "agent-session" },
                h("span", { class: "typing" }, h("i"), h("i"), h("i")),
                ` ${session.title || "Working"}`,
              ),
              stop,
            ]
          : []),
      );
  }
}

function banner() {
  return h(
    "div",
    { class: "local-banner", role: "note" },
    h("b", {}, "Local console. "),
    "A stand-in for Slack on this machine: codethread runs here exactly as in a Slack workspace, and nothing leaves it. ",
    "To connect a real workspace, create the app from ",
    h("code", {}, "manifest.yml"),
    ", set ",
    h("code", {}, "SLACK_BOT_TOKEN"),
    " and ",
    h("code", {}, "SLACK_SIGNING_SECRET"),
    ", and start again (README, “Create the Slack app”).",
  );
}

/** Replace the node with the same key, or insert it in ts order; keeps the list scrolled to the end if it was. */
function upsert(list, node, ts) {
  const follow = near(list);
  const old = list.querySelector(`[data-key="${CSS.escape(node.dataset.key)}"]`);
  if (old) old.replaceWith(node);
  else insertSorted(list, node, ts);
  if (follow) list.scrollTop = list.scrollHeight;
}

function insertSorted(list, node, ts) {
  const after = [...list.children].find((c) => c.dataset.sort && Number(c.dataset.sort) > Number(ts));
  list.insertBefore(node, after ?? null);
}

function alertIn(button, err) {
  button.title = `Not sent: ${err instanceof Error ? err.message : String(err)}`;
}
