import { toMrkdwn } from "../agents/tool-summary.js";
import { formatUsd, truncate } from "../text.js";

/** Slack Block Kit and message limits (docs.slack.dev, @slack/types). */
export const SlackLimits = {
  blocksPerMessage: 50,
  sectionText: 3000,
  contextElements: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  /** `text` is truncated past 40,000; long texts may be split by Slack past 4,000, so we split ourselves. */
  messageText: 40_000,
} as const;

export { truncate };

/** User text shown as a quote in mrkdwn: escaped, bounded, each line prefixed with `>`. */
export function quote(text: string, max = 500): string {
  return truncate(toMrkdwn(text.trim()), max)
    .split("\n")
    .map((l) => `>${l}`)
    .join("\n");
}

/** `4s`, `2m 05s`, `1h 03m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export function formatCost(usd: number | undefined): string | undefined {
  return usd === undefined ? undefined : formatUsd(usd);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A mrkdwn link `<url|label>`; a URL Slack could misread (spaces, `|`, `<>`) is shown as text. */
export function slackLink(url: string, label: string): string {
  if (!/^https?:\/\/[^\s<>|]+$/.test(url)) return toMrkdwn(label === url ? url : `${label} (${url})`);
  return `<${url}|${toMrkdwn(label).replace(/\|/g, "¦")}>`;
}

/**
 * Log lines as a mrkdwn code block, the last ones kept within `max` characters (the end of a
 * failing step's log is what says why). Lines are escaped; a fence inside a line cannot close it.
 */
export function codeBlock(lines: readonly string[], max = 2_000): string {
  const kept: string[] = [];
  let size = 8;
  for (const line of [...lines].reverse()) {
    const l = toMrkdwn(line.replace(/```/g, "`\u200b``"));
    if (size + l.length + 1 > max) break;
    kept.unshift(l);
    size += l.length + 1;
  }
  if (!kept.length) return "";
  return `\`\`\`\n${kept.length < lines.length ? "…\n" : ""}${kept.join("\n")}\n\`\`\``;
}
