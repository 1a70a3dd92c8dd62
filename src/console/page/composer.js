// The message box: Enter sends, Shift+Enter starts a new line; typing "/" lists the slash
// commands (Tab or a click completes one), as in Slack.
import { h } from "./dom.js";

const Commands = [
  {
    name: "/agent",
    hint: "<what to do> [agent=claude|opencode] [project=name]",
    more: "also: status · help · project new <name>",
  },
];

/** A file as the console's say route takes it: name, type and bytes as base64. */
async function asAttachment(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { name: file.name, mimetype: file.type || "application/octet-stream", base64: btoa(binary) };
}

export function composer({ placeholder, onSend, label }) {
  const picker = h("input", { type: "file", multiple: true, hidden: true, class: "composer-files" });
  const chosen = h("div", { class: "composer-attached" });
  const attach = h(
    "button",
    { class: "composer-attach", type: "button", "aria-label": "Attach a file", title: "Attach a file" },
    "📎",
  );
  attach.addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    chosen.replaceChildren(...[...picker.files].map((f) => h("span", { class: "attached-file" }, `📄 ${f.name}`)));
  });
  const input = h("textarea", { class: "composer-input", rows: "1", placeholder, "aria-label": label ?? placeholder });
  const error = h("div", { class: "composer-error", role: "alert" });
  const popup = h("div", { class: "slash-popup", hidden: true });
  const send = h("button", { class: "composer-send", type: "button", "aria-label": "Send", title: "Send" }, "➤");

  const resize = () => {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
  };
  const complete = (name) => {
    input.value = `${name} `;
    popup.hidden = true;
    input.focus();
  };
  const updatePopup = () => {
    const v = input.value;
    const matches = /^\/\S*$/.test(v) ? Commands.filter((c) => c.name.startsWith(v)) : [];
    popup.replaceChildren(
      ...matches.map((c) =>
        h(
          "button",
          {
            class: "slash-item",
            type: "button",
            onmousedown: (e) => {
              e.preventDefault();
              complete(c.name);
            },
          },
          h("span", { class: "slash-name" }, c.name),
          h("span", { class: "slash-hint" }, ` ${c.hint}`),
          h("div", { class: "slash-more" }, `codethread — ${c.more}`),
        ),
      ),
    );
    popup.hidden = matches.length === 0;
  };
  const submit = async () => {
    const text = input.value.trim();
    const files = [...(picker.files ?? [])];
    if (!text && !files.length) return;
    error.textContent = "";
    input.disabled = true;
    try {
      await onSend(text, files.length ? await Promise.all(files.map(asAttachment)) : undefined);
      input.value = "";
      picker.value = "";
      chosen.replaceChildren();
      resize();
    } catch (err) {
      error.textContent = `Not sent: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      input.disabled = false;
      input.focus();
      updatePopup();
    }
  };
  input.addEventListener("input", () => {
    resize();
    updatePopup();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Tab" && !popup.hidden) {
      e.preventDefault();
      const first = Commands.find((c) => c.name.startsWith(input.value));
      if (first) complete(first.name);
    } else if (e.key === "Escape") {
      popup.hidden = true;
    } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submit();
    }
  });
  send.addEventListener("click", () => void submit());
  const el = h(
    "div",
    { class: "composer" },
    popup,
    chosen,
    h("div", { class: "composer-box" }, attach, picker, input, send),
    h(
      "div",
      { class: "composer-hint" },
      h("b", {}, "Enter"),
      " to send · ",
      h("b", {}, "Shift+Enter"),
      " for a new line · try ",
      h("code", {}, "/agent fix the build"),
      " or ",
      h("code", {}, "@codethread …"),
    ),
    error,
  );
  return { el, input, focus: () => input.focus() };
}
