/**
 * Parameter checks the Slack Web API stand-in (the console and the tests' fake) applies, after Slack's documented limits
 * (docs.slack.dev block reference, @slack/types): a violation is answered like Slack does
 * (`invalid_blocks`, `msg_too_long`) and recorded so a test can assert there were none.
 */
type Json = Record<string, unknown>;

function textOf(o: unknown): string {
  if (o && typeof o === "object" && typeof (o as Json).text === "string") return (o as Json).text as string;
  return "";
}

export function checkBlocks(blocks: unknown): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ["blocks must be an array"];
  const problems: string[] = [];
  if (blocks.length > 50) problems.push(`too many blocks: ${blocks.length} > 50`);
  let markdownTotal = 0;
  blocks.forEach((raw, i) => {
    const b = raw as Json;
    const at = `/blocks/${i}`;
    switch (b.type) {
      case "section": {
        const t = textOf(b.text);
        if (!b.text && !b.fields) problems.push(`${at}: section needs text or fields`);
        if (t.length > 3000) problems.push(`${at}/text: must be less than 3001 characters`);
        if (b.text && t.length === 0) problems.push(`${at}/text: must not be empty`);
        break;
      }
      case "markdown": {
        const t = typeof b.text === "string" ? b.text : "";
        if (!t) problems.push(`${at}/text: must not be empty`);
        markdownTotal += t.length;
        break;
      }
      case "context": {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length === 0 || els.length > 10) problems.push(`${at}/elements: 1..10 elements`);
        for (const e of els) if (textOf(e).length > 3000) problems.push(`${at}: context text > 3000`);
        break;
      }
      case "header":
        if (textOf(b.text).length > 150) problems.push(`${at}/text: header > 150`);
        break;
      case "actions": {
        const els = Array.isArray(b.elements) ? (b.elements as Json[]) : [];
        if (els.length === 0 || els.length > 25) problems.push(`${at}/elements: 1..25 elements`);
        for (const e of els) {
          if (textOf(e.text).length > 75) problems.push(`${at}: button text > 75`);
          if (typeof e.value === "string" && e.value.length > 2000) problems.push(`${at}: button value > 2000`);
          if (typeof e.action_id === "string" && e.action_id.length > 255) problems.push(`${at}: action_id > 255`);
        }
        break;
      }
      case "divider":
      case "rich_text":
        break;
      default:
        problems.push(`${at}: unknown block type ${String(b.type)}`);
    }
  });
  if (markdownTotal > 12_000) problems.push(`markdown blocks total ${markdownTotal} > 12000`);
  return problems;
}

/** Checks of a chat.postMessage / chat.update call; returns Slack's error code or undefined. */
export function checkMessage(method: string, params: Json): { error?: string; problems: string[] } {
  const text = typeof params.text === "string" ? params.text : undefined;
  if (!params.channel) return { error: "channel_not_found", problems: ["no channel"] };
  if (text === undefined && params.blocks === undefined) return { error: "no_text", problems: ["no text or blocks"] };
  if (text !== undefined && text.length > 40_000) {
    return { error: "msg_too_long", problems: [`${method}: text ${text.length} > 40000`] };
  }
  const problems = checkBlocks(params.blocks);
  return problems.length ? { error: "invalid_blocks", problems } : { problems: [] };
}
