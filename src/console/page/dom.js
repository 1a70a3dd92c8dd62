// Tiny DOM helpers for the console page. Everything shown is built with DOM nodes and text
// nodes, never from HTML strings, so text from Slack messages cannot inject markup.

/** h("div", { class: "x", onclick: fn, dataset: {...} }, ...children) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Only web and mail links become links; anything else (javascript:, data:) stays text. */
export function safeHref(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : undefined;
}

export function link(url, label) {
  const href = safeHref(url);
  if (!href) return document.createTextNode(label ?? url);
  return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, label ?? url);
}

/** Slack escapes &, < and > in message text. */
export function decodeEntities(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
