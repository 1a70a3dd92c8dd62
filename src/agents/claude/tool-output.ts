import { toolOutputExcerpt } from "../events.js";

/** Text of a tool_result `content` (a string, or an array of text blocks), bounded. */
export function toolOutputText(content: unknown): string {
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
  return toolOutputExcerpt(text);
}
