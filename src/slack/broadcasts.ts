/**
 * Text the bot posts never pings a crowd by accident. Slack notifies whole channels and groups for
 * the special mentions `<!channel>`, `<!here>`, `<!everyone>` and `<!subteam^ID>` (and their
 * `|label` forms); a prompt or an agent's answer can carry them verbatim. Every outgoing text —
 * `text`, blocks, ephemeral replies, the slash command's ack and response_url bodies — passes
 * through `neutralizeBroadcasts` (the Web API wrapper and the slash replier call it), which turns
 * them into plain words with a word joiner after the `@` (`@⁠here`): readable, never a mention.
 * Bare `@here` words get the same treatment in case a surface parses names. Other `<!…>` forms
 * (`<!date^…>`) are left alone.
 */

/** U+2060 WORD JOINER: invisible, and breaks the `@here` token. */
const Joiner = "\u2060";

const SpecialMention = /<!(channel|here|everyone|subteam\^[^|>]*)(?:\|([^>]*))?>/gi;
/** `@here` as a word of its own (not inside `ops@here.example`). */
const BareBroadcast = /(?<![\w.+-])@(channel|here|everyone)(?![\w-]|\.\w)/gi;

function plainName(kind: string, label: string | undefined): string {
  const name = label?.replace(/^@/, "") || (kind.toLowerCase().startsWith("subteam^") ? kind.slice(8) : kind);
  return `@${Joiner}${name}`;
}

export function neutralizeBroadcasts(text: string): string {
  return text
    .replace(SpecialMention, (_m, kind: string, label: string | undefined) => plainName(kind, label))
    .replace(BareBroadcast, (_m, word: string) => `@${Joiner}${word}`);
}

/** Keys of Block Kit objects that are identifiers or data, not displayed text. */
const dataKeys = new Set(["type", "action_id", "block_id", "value", "url", "style", "image_url"]);

/** The same for every displayed string inside Block Kit blocks (any depth). */
export function neutralizeBlocks<T>(blocks: T): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === "string") return key !== undefined && dataKeys.has(key) ? v : neutralizeBroadcasts(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(blocks) as T;
}
