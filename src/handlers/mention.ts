/** Blank lines before the first line with text, and whitespace at the end. */
function trimBlankEdges(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, "").replace(/\s+$/, "");
}

/**
 * Remove `<@BOT>` mentions from a message's text, and nothing else: the spaces next to a mention
 * go with it (one space stays between words it separated), blank lines and spaces at the edges of
 * the message are dropped, and every other space, tab, indentation and line break is kept — so
 * code in a reply reaches the agent as written.
 */
export function stripMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return trimBlankEdges(text);
  const mention = new RegExp(`[ \\t]*<@${botUserId}(?:\\|[^>]*)?>[ \\t]*`, "g");
  const stripped = text.replace(mention, (m: string, offset: number, whole: string) => {
    const before = whole[offset - 1];
    const after = whole[offset + m.length];
    const between = before !== undefined && after !== undefined && before !== "\n" && after !== "\n" && after !== "\r";
    return between ? " " : "";
  });
  return trimBlankEdges(stripped);
}
