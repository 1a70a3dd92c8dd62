/** One item of a line-delimited stream: a complete line, or a line that exceeded the bound and was dropped. */
export type LineItem = { kind: "line"; text: string } | { kind: "overflow"; bytes: number };

/** Largest accepted stdout line by default: big tool results (file reads) fit, an endless line does not. */
export const DefaultMaxLineBytes = 16 * 1024 * 1024;

/**
 * Split a byte stream into UTF-8 lines without ever holding more than `maxLineBytes` of one line.
 * A longer line is dropped up to its newline and reported as `overflow`, so a huge or endless
 * line costs bounded memory. Empty lines are skipped; a trailing `\r` is removed.
 */
export async function* readLines(
  source: AsyncIterable<Buffer | string>,
  maxLineBytes = DefaultMaxLineBytes,
): AsyncGenerator<LineItem> {
  let parts: Buffer[] = [];
  let size = 0;
  let dropping = false;
  let dropped = 0;

  const finishLine = (last: Buffer): LineItem | undefined => {
    if (dropping) {
      const bytes = dropped + last.length;
      dropping = false;
      dropped = 0;
      return { kind: "overflow", bytes };
    }
    if (size + last.length > maxLineBytes) {
      const bytes = size + last.length;
      parts = [];
      size = 0;
      return { kind: "overflow", bytes };
    }
    const buf = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    parts = [];
    size = 0;
    let text = buf.toString("utf8");
    if (text.endsWith("\r")) text = text.slice(0, -1);
    return text.trim() === "" ? undefined : { kind: "line", text };
  };

  for await (const raw of source) {
    const chunk = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        const rest = chunk.subarray(start);
        if (dropping) dropped += rest.length;
        else if (size + rest.length > maxLineBytes) {
          dropping = true;
          dropped = size + rest.length;
          parts = [];
          size = 0;
        } else if (rest.length > 0) {
          parts.push(rest);
          size += rest.length;
        }
        break;
      }
      const item = finishLine(chunk.subarray(start, nl));
      if (item) yield item;
      start = nl + 1;
    }
  }
  if (dropping || size > 0) {
    const item = finishLine(Buffer.alloc(0));
    if (item) yield item;
  }
}
