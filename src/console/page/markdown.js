// Standard Markdown, for `markdown` blocks (Slack renders them as Markdown, not mrkdwn): headings,
// paragraphs, lists, fenced code, quotes, rules, tables, and inline **bold**, *italic*, ~~strike~~,
// `code`, [links](url) and bare URLs. Built as DOM nodes; no HTML passes through.
import { h, link } from "./dom.js";

const Inline =
  /`([^`\n]+)`|\*\*(?!\s)(.+?)(?<!\s)\*\*|__(?!\s)(.+?)(?<!\s)__|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])|~~(?!\s)(.+?)(?<!\s)~~|\[([^\]\n]+)\]\(([^)\s]+)\)|<(https?:\/\/[^>\s]+)>|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

export function mdInline(text) {
  const out = [];
  let at = 0;
  const re = new RegExp(Inline.source, "g");
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    const [all, code, b1, b2, i1, i2, strike, label, url, auto, bare] = m;
    if (code !== undefined) out.push(h("code", {}, code));
    else if (b1 !== undefined || b2 !== undefined) out.push(h("b", {}, mdInline(b1 ?? b2)));
    else if (i1 !== undefined || i2 !== undefined) out.push(h("i", {}, mdInline(i1 ?? i2)));
    else if (strike !== undefined) out.push(h("s", {}, mdInline(strike)));
    else if (label !== undefined) out.push(link(url, label));
    else out.push(link(auto ?? bare));
    at = m.index + all.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

const isTableRow = (l) => /^\s*\|.*\|\s*$/.test(l);
const cells = (l) =>
  l
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((c) => c.trim());

/** A Markdown text → a <div class="md">. */
export function markdown(text) {
  const root = h("div", { class: "md" });
  const lines = String(text ?? "").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i += 1;
      root.append(h("pre", { class: "code-block", dataset: { lang: fence[2] || "" } }, body.join("\n")));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      root.append(h(`h${Math.min(heading[1].length + 2, 6)}`, { class: "md-h" }, mdInline(heading[2])));
      i += 1;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      root.append(h("hr"));
      i += 1;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) body.push(lines[i++].replace(/^\s*>\s?/, ""));
      root.append(h("blockquote", {}, markdown(body.join("\n"))));
      continue;
    }
    const item = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = /\d/.test(item[2]);
      const list = h(ordered ? "ol" : "ul", {});
      while (i < lines.length) {
        const it = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]);
        if (!it || /\d/.test(it[2]) !== ordered) break;
        const task = /^\[( |x)\]\s+(.*)$/i.exec(it[3]);
        list.append(
          h(
            "li",
            {},
            task ? [h("input", { type: "checkbox", disabled: true, checked: task[1] !== " " }), " "] : [],
            mdInline(task ? task[2] : it[3]),
          ),
        );
        i += 1;
      }
      root.append(list);
      continue;
    }
    if (isTableRow(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const head = cells(line);
      i += 2;
      const rows = [];
      while (i < lines.length && isTableRow(lines[i])) rows.push(cells(lines[i++]));
      root.append(
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              head.map((c) => h("th", {}, mdInline(c))),
            ),
          ),
          h(
            "tbody",
            {},
            rows.map((r) =>
              h(
                "tr",
                {},
                r.map((c) => h("td", {}, mdInline(c))),
              ),
            ),
          ),
        ),
      );
      continue;
    }
    if (!line.trim()) {
      i += 1;
      continue;
    }
    const para = [lines[i++]]; // the first line always, so every pass moves on
    while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*```|\s*>|\s*([-*+]|\d+[.)])\s)/.test(lines[i])) {
      para.push(lines[i++]);
    }
    const p = h("p", {});
    para.forEach((l, j) => {
      if (j) p.append(h("br"));
      p.append(...mdInline(l));
    });
    root.append(p);
  }
  return root;
}
