/** Longest tool output excerpt carried by a `tool_result` event, in characters. */
export const MaxToolOutputChars = 2_000;

/** Text of a tool_result `content` (a string, or an array of text blocks), bounded. */
export function toolOutputText(content: unknown, max = MaxToolOutputChars): string {
  let text: string;
  if (typeof content === "string") text = content;
  else if (Array.isArray(content)) {
    text = content
      .map((b: unknown) => {
        if (b && typeof b === "object" && "text" in b && typeof b.text === "string") return b.text;
        return "";
      })
      .filter(Boolean)
      .join("\n");
  } else if (content === undefined || content === null) text = "";
  else text = JSON.stringify(content);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
