import type { UserNames } from "./user-names.js";

/**
 * Message and command text as Slack sends it, turned into what the person typed: `&amp;`, `&lt;`,
 * `&gt;` decoded; `<@U123|alice>` / `<@U123>` → `@alice` (the name from the label or users.info,
 * else `@U123`); `<#C123|general>` → `#general`; `<https://x|label>` → the URL; `<mailto:a@b|a@b>` →
 * the address; `<!here>` → `@here`, `<!subteam^S1|@devs>` → `@devs`, `<!date^…|fallback>` → the
 * fallback. NUL characters are removed: they are never meant (PostgreSQL's JSON cannot store them,
 * so a prompt carrying one could not be queued). Whitespace and line breaks are kept as they are.
 */

const Token = /<([^<>]*)>/g;
const Entity = /&(amp|lt|gt);/g;
const entityChars: Record<string, string> = { amp: "&", lt: "<", gt: ">" };
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing NUL is the point
const Nul = /\u0000/g;

function decodeEntities(s: string): string {
  return s.replace(Entity, (_m, name: string) => entityChars[name]!);
}

function at(name: string): string {
  return `@${name.replace(/^@/, "")}`;
}

function readToken(inner: string, names: ReadonlyMap<string, string>): string {
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : decodeEntities(inner.slice(bar + 1)) || undefined;
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return at(label ?? names.get(id) ?? id);
  }
  if (target.startsWith("#")) return `#${label ?? target.slice(1)}`;
  if (target.startsWith("!")) {
    const special = target.slice(1);
    if (special.startsWith("subteam^")) return at(label ?? special.slice("subteam^".length));
    if (special.startsWith("date^")) return label ?? special;
    return label ?? at(special);
  }
  const url = decodeEntities(target);
  return url.startsWith("mailto:") ? url.slice("mailto:".length) : url;
}

/** Ids of user mentions without a name in their label (the ones users.info must name). */
export function unnamedUserMentions(text: string): string[] {
  return [...text.matchAll(/<@([A-Z0-9]+)>/g)].map((m) => m[1]!);
}

/** Decode Slack text with the user names known so far (synchronous; unknown users stay `@U123`). */
export function decodeSlackText(text: string, names: ReadonlyMap<string, string> = new Map()): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(Token)) {
    out += decodeEntities(text.slice(last, m.index)) + readToken(m[1]!, names);
    last = m.index + m[0].length;
  }
  return (out + decodeEntities(text.slice(last))).replace(Nul, "");
}

/** Decode Slack text, naming mentioned users through `users` (cached users.info) when given. */
export async function readSlackText(text: string, users?: UserNames): Promise<string> {
  const ids = unnamedUserMentions(text);
  const names = users && ids.length ? await users.namesOf(ids) : new Map<string, string>();
  return decodeSlackText(text, names);
}
