// Block Kit, as Slack's clients lay it out: section (text, fields, accessory), context, actions
// with buttons, header, divider, markdown, rich_text, image; other kinds show as a note.
import { h, link } from "./dom.js";
import { emoji } from "./emoji.js";
import { markdown } from "./markdown.js";
import { mrkdwn, plain } from "./mrkdwn.js";

/** A text object: mrkdwn or plain_text. */
function textObject(t, ctx) {
  if (!t) return null;
  if (t.type === "mrkdwn") return mrkdwn(t.text, ctx);
  return h("div", { class: "plain" }, plain(t.text, t.emoji !== false));
}

function button(e, ctx) {
  const style = e.style === "primary" ? " primary" : e.style === "danger" ? " danger" : "";
  const el = h(
    "button",
    { class: `bk-button${style}`, type: "button", dataset: { actionId: e.action_id ?? "", value: e.value ?? "" } },
    plain(e.text?.text ?? ""),
  );
  if (e.url) return link(e.url, e.text?.text ?? e.url);
  el.addEventListener("click", () => ctx.click?.(e, el));
  return el;
}

function element(e, ctx) {
  switch (e.type) {
    case "button":
      return button(e, ctx);
    case "image":
      return h("span", { class: "bk-image-ref", title: e.alt_text ?? "" }, "🖼");
    case "mrkdwn":
    case "plain_text":
      return textObject(e, ctx);
    default:
      return h("span", { class: "bk-unsupported" }, `[${e.type}]`);
  }
}

function richInline(el, ctx) {
  switch (el.type) {
    case "text": {
      const s = el.style ?? {};
      let node = document.createTextNode(el.text ?? "");
      if (s.code) node = h("code", {}, node);
      if (s.bold) node = h("b", {}, node);
      if (s.italic) node = h("i", {}, node);
      if (s.strike) node = h("s", {}, node);
      return node;
    }
    case "user":
      return h("span", { class: "mention" }, `@${ctx.userName(el.user_id)}`);
    case "channel":
      return h("span", { class: "mention" }, `#${ctx.channelName(el.channel_id)}`);
    case "link":
      return link(el.url, el.text);
    case "emoji":
      return emoji(el.name) ?? `:${el.name}:`;
    case "broadcast":
      return h("span", { class: "mention mention-broadcast" }, `@${el.range}`);
    default:
      return "";
  }
}

function richText(b, ctx) {
  const root = h("div", { class: "rich-text" });
  for (const el of b.elements ?? []) {
    const kids = (el.elements ?? []).map((x) =>
      x.type?.startsWith("rich_text_") ? richText({ elements: [x] }, ctx) : richInline(x, ctx),
    );
    if (el.type === "rich_text_preformatted") root.append(h("pre", { class: "code-block" }, kids));
    else if (el.type === "rich_text_quote") root.append(h("blockquote", {}, kids));
    else if (el.type === "rich_text_list")
      root.append(
        h(
          el.style === "ordered" ? "ol" : "ul",
          {},
          kids.map((k) => h("li", {}, k)),
        ),
      );
    else root.append(h("div", { class: "para" }, kids));
  }
  return root;
}

function block(b, ctx) {
  switch (b.type) {
    case "section": {
      const body = h("div", { class: "bk-section-body" }, textObject(b.text, ctx));
      if (Array.isArray(b.fields))
        body.append(
          h(
            "div",
            { class: "bk-fields" },
            b.fields.map((f) => h("div", { class: "bk-field" }, textObject(f, ctx))),
          ),
        );
      return h(
        "div",
        { class: "bk-section" },
        body,
        b.accessory ? h("div", { class: "bk-accessory" }, element(b.accessory, ctx)) : null,
      );
    }
    case "context":
      return h(
        "div",
        { class: "bk-context" },
        (b.elements ?? []).map((e) => h("span", { class: "bk-context-item" }, element(e, ctx))),
      );
    case "actions":
      return h(
        "div",
        { class: "bk-actions" },
        (b.elements ?? []).map((e) => element(e, ctx)),
      );
    case "header":
      return h("div", { class: "bk-header" }, plain(b.text?.text ?? ""));
    case "divider":
      return h("hr", { class: "bk-divider" });
    case "markdown":
      return h("div", { class: "bk-markdown" }, markdown(b.text));
    case "rich_text":
      return richText(b, ctx);
    case "image":
      return h(
        "figure",
        { class: "bk-image" },
        h("div", { class: "bk-image-box" }, "🖼 ", b.alt_text ?? "image"),
        b.title ? h("figcaption", {}, b.title.text) : null,
      );
    default:
      return h("div", { class: "bk-unsupported" }, `This message has a block the console does not show (${b.type}).`);
  }
}

/** A message's blocks → a <div class="blocks">; `ctx.click(element, buttonEl)` handles buttons. */
export function renderBlocks(blocks, ctx) {
  return h(
    "div",
    { class: "blocks" },
    blocks.map((b) => h("div", { class: "bk", dataset: { blockType: b.type } }, block(b, ctx))),
  );
}
