// One message as Slack shows it: avatar, name (APP for the bot), time, then its blocks (or its
// text when it has none), files, reactions and, under a thread's root, the reply count.
import { renderBlocks } from "./blocks.js";
import { h } from "./dom.js";
import { emoji } from "./emoji.js";
import { mrkdwn } from "./mrkdwn.js";

/** One of the 8 avatar colours of style.css (.avatar-c0 … .avatar-c7), the same for an id every time. */
function colorClass(id) {
  let n = 0;
  for (const c of id) n = (n * 31 + c.charCodeAt(0)) >>> 0;
  return `avatar-c${n % 8}`;
}

export function initials(name) {
  const parts = String(name)
    .split(/[\s._-]+/)
    .filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : String(name).slice(0, 1);
  return letters.toUpperCase();
}

export function avatar(id, name, isBot) {
  return h(
    "div",
    { class: `avatar ${isBot ? "avatar-bot" : colorClass(id)}`, "aria-hidden": "true" },
    isBot ? "ct" : initials(name),
  );
}

export function timeOf(ts) {
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

function imageCard(f, ctx) {
  return h(
    "div",
    { class: "file file-image", dataset: { fileId: f.id } },
    h("img", { src: ctx.fileUrl(f.id), alt: f.title || f.name, class: "file-thumb" }),
    h("div", { class: "file-size" }, `${f.name} · ${(f.size / 1024).toFixed(1)} KB`),
  );
}

const taskMarks = { complete: "✓", error: "✗", in_progress: "…", pending: "○" };

/** A streamed message's task updates (tool steps), as Slack's timeline shows them. */
function taskList(tasks) {
  return h(
    "ul",
    { class: "stream-tasks" },
    tasks.map((t) => h("li", { class: `stream-task task-${t.status}` }, `${taskMarks[t.status] ?? "•"} ${t.title}`)),
  );
}

function fileCard(f, ctx) {
  if (String(f.mimetype ?? "").startsWith("image/")) return imageCard(f, ctx);
  const preview = h("pre", { class: "file-preview" }, "Loading…");
  const card = h(
    "div",
    { class: "file", dataset: { fileId: f.id } },
    h(
      "div",
      { class: "file-head" },
      h("div", { class: "file-icon" }, f.filetype === "md" ? "MD" : "TXT"),
      h(
        "div",
        { class: "file-meta" },
        h("a", { class: "file-name", href: ctx.fileUrl(f.id), target: "_blank", rel: "noopener" }, f.title || f.name),
        h("div", { class: "file-size" }, `${f.filetype.toUpperCase()} · ${(f.size / 1024).toFixed(1)} KB`),
      ),
    ),
    preview,
  );
  ctx.fileText(f.id).then(
    (text) => {
      preview.textContent = text;
    },
    () => {
      preview.textContent = "(could not load the file)";
    },
  );
  preview.addEventListener("click", () => card.classList.toggle("file-open"));
  return card;
}

function replySummary(m, replies, ctx) {
  const last = replies.at(-1);
  const people = [...new Set(replies.map((r) => r.user))].slice(0, 4);
  return h(
    "button",
    { class: "reply-summary", type: "button", onclick: () => ctx.openThread(m.channel, m.ts) },
    people.map((u) => h("span", { class: "mini-avatar" }, avatar(u, ctx.userName(u), u === ctx.botId))),
    h("span", { class: "reply-count" }, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`),
    h("span", { class: "reply-last" }, `Last reply ${timeOf(last.ts)}`),
    h("span", { class: "reply-view" }, "View thread"),
  );
}

/** `opts.inThread`: shown in the thread pane (no reply summary). */
export function renderMessage(m, ctx, opts = {}) {
  const isBot = m.user === ctx.botId;
  const name = ctx.userName(m.user);
  const body = h("div", { class: "message-body" });
  if (m.tasks?.length) body.append(taskList(m.tasks));
  if (m.streaming) {
    // Being written (chat.startStream … appendStream): its markdown so far, and a cursor.
    body.append(renderBlocks([{ type: "markdown", text: m.text }], { ...ctx, click: () => undefined }));
    body.append(h("span", { class: "stream-cursor", "aria-label": "writing" }, "▍"));
  } else if (Array.isArray(m.blocks) && m.blocks.length) {
    body.append(renderBlocks(m.blocks, { ...ctx, click: (e, el) => ctx.click(m, e, el) }));
  } else if (m.text) {
    body.append(mrkdwn(m.text, ctx));
  }
  for (const f of m.files ?? []) body.append(fileCard(f, ctx));
  if (m.reactions?.length) {
    body.append(
      h(
        "div",
        { class: "reactions" },
        m.reactions.map((r) =>
          h("span", { class: "reaction" }, emoji(r.name) ?? `:${r.name}:`, " ", String(r.users.length)),
        ),
      ),
    );
  }
  const replies = opts.inThread || m.threadTs ? [] : ctx.repliesOf(m.channel, m.ts);
  return h(
    "div",
    {
      class: `message${isBot ? " from-bot" : ""}${m.streaming ? " streaming" : ""}`,
      dataset: { ts: m.ts, channel: m.channel, user: m.user },
    },
    avatar(m.user, name, isBot),
    h(
      "div",
      { class: "message-main" },
      h(
        "div",
        { class: "message-head" },
        h("span", { class: "author" }, name),
        isBot ? h("span", { class: "app-badge" }, "APP") : null,
        h("span", { class: "time", title: m.ts }, timeOf(m.ts)),
        m.edited ? h("span", { class: "edited" }, "(edited)") : null,
      ),
      body,
      replies.length ? replySummary(m, replies, ctx) : null,
    ),
  );
}

/** A message only this person sees (ephemeral), with Slack's "Only visible to you". */
export function renderNotice(n, ctx, onDismiss) {
  const body = h("div", { class: "message-body" });
  if (Array.isArray(n.blocks) && n.blocks.length)
    body.append(renderBlocks(n.blocks, { ...ctx, click: () => undefined }));
  else body.append(mrkdwn(n.text, ctx));
  return h(
    "div",
    { class: "message ephemeral", dataset: { noticeId: n.id } },
    avatar("bot", ctx.userName(ctx.botId), true),
    h(
      "div",
      { class: "message-main" },
      h(
        "div",
        { class: "message-head" },
        h("span", { class: "author" }, ctx.userName(ctx.botId)),
        h("span", { class: "app-badge" }, "APP"),
        h("span", { class: "time" }, timeOf(n.ts)),
      ),
      body,
      h(
        "div",
        { class: "ephemeral-note" },
        "👁 Only visible to you · ",
        h("button", { class: "link-button", type: "button", onclick: onDismiss }, "Dismiss"),
      ),
    ),
  );
}
