// Slack's mrkdwn, as Slack's clients show it: *bold*, _italic_, ~strike~, `code`, ```code
// blocks```, > quotes, <url|label> links, <@U…> user and <#C…|name> channel mentions,
// <!here>-style broadcasts, :emoji: and the &amp;/&lt;/&gt; escapes. Built as DOM nodes.
import { decodeEntities, h, link } from "./dom.js";
import { emoji } from "./emoji.js";

// Bold, italic and strike need a non-word character (or the edge) on their outer sides, as in Slack.
const Inline =
  /`([^`\n]+)`|<([^<>\n]+)>|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])|(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])|:([a-z0-9_+-]+):/g;

/** The special `<…>` forms: links, mentions, broadcasts. */
function angle(inner, ctx) {
  const [ref, label] = splitLabel(inner);
  if (ref.startsWith("@")) {
    const id = ref.slice(1);
    const name = label || ctx.userName(id);
    return h("span", { class: `mention${id === ctx.meId ? " mention-me" : ""}`, title: id }, `@${name}`);
  }
  if (ref.startsWith("#")) {
    const id = ref.slice(1);
    const name = label || ctx.channelName(id);
    return h(
      "a",
      { class: "mention channel-mention", href: `#${id}`, onclick: (e) => ctx.openChannel?.(id, e) },
      `#${name}`,
    );
  }
  if (ref.startsWith("!")) {
    const special = ref.slice(1);
    if (special.startsWith("subteam^")) return h("span", { class: "mention" }, label || "@group");
    if (special.startsWith("date^")) return document.createTextNode(label || special);
    return h("span", { class: "mention mention-broadcast" }, `@${special}`);
  }
  return link(decodeEntities(ref), label ? decodeEntities(label) : undefined);
}

function splitLabel(inner) {
  const bar = inner.indexOf("|");
  return bar < 0 ? [inner, ""] : [inner.slice(0, bar), inner.slice(bar + 1)];
}

/** Inline mrkdwn of one line → nodes. */
export function inline(text, ctx) {
  const out = [];
  let at = 0;
  Inline.lastIndex = 0;
  for (let m = Inline.exec(text); m; m = Inline.exec(text)) {
    if (m.index > at) out.push(decodeEntities(text.slice(at, m.index)));
    const [all, code, ang, bold, italic, strike, emo] = m;
    if (code !== undefined) out.push(h("code", {}, decodeEntities(code)));
    else if (ang !== undefined) out.push(angle(ang, ctx));
    else if (bold !== undefined) out.push(h("b", {}, inline(bold, ctx)));
    else if (italic !== undefined) out.push(h("i", {}, inline(italic, ctx)));
    else if (strike !== undefined) out.push(h("s", {}, inline(strike, ctx)));
    else if (emo !== undefined) out.push(emoji(emo) ? h("span", { class: "emoji", title: all }, emoji(emo)) : all);
    at = m.index + all.length;
    Inline.lastIndex = at;
  }
  if (at < text.length) out.push(decodeEntities(text.slice(at)));
  return out;
}

/** A whole mrkdwn text → a <div class="mrkdwn">. */
export function mrkdwn(text, ctx) {
  const root = h("div", { class: "mrkdwn" });
  const parts = String(text ?? "").split(/```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      root.append(h("pre", { class: "code-block" }, decodeEntities(part.replace(/^\n/, "").replace(/\n$/, ""))));
      return;
    }
    let chunk = i % 2 === 1 ? `\`\`\`${part}` : part; // an unclosed fence stays text
    if (i > 0 && i % 2 === 0) chunk = chunk.replace(/^\n/, "");
    if (i < parts.length - 1) chunk = chunk.replace(/\n$/, "");
    if (!chunk) return;
    let quote;
    let lines = [];
    const flush = () => {
      if (!lines.length) return;
      const target = quote ? h("blockquote", {}) : h("div", { class: "para" });
      lines.forEach((line, j) => {
        if (j) target.append(h("br"));
        target.append(...inline(line, ctx));
      });
      root.append(target);
      lines = [];
    };
    for (const line of chunk.split("\n")) {
      const q = /^(&gt;|>)\s?/.exec(line);
      if (Boolean(q) !== Boolean(quote)) {
        flush();
        quote = Boolean(q);
      }
      lines.push(q ? line.slice(q[0].length) : line);
    }
    flush();
  });
  return root;
}

/** Plain text (plain_text objects): emoji only when `emoji` is on, no formatting. */
export function plain(text, withEmoji = true) {
  if (!withEmoji) return [String(text ?? "")];
  return String(text ?? "")
    .split(/(:[a-z0-9_+-]+:)/g)
    .map((part) => {
      const m = /^:([a-z0-9_+-]+):$/.exec(part);
      return m && emoji(m[1]) ? emoji(m[1]) : part;
    });
}
