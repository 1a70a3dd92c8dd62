import type { AgentResult } from "../agents/events.js";
import { toMrkdwn } from "../agents/tool-summary.js";
import { formatCost, formatDuration, truncate } from "./format.js";
import type { Block } from "./slack-api.js";

/** A `markdown` block holds at most 12,000 characters; keep a margin for fence repairs. */
export const AnswerChunkChars = 11_000;
/** Longer answers than this many chunks are attached as a file instead. */
export const AnswerMaxParts = 3;

export type AnswerDelivery =
  | { kind: "messages"; parts: { text: string; blocks: Block[] }[] }
  | { kind: "file"; preview: { text: string; blocks: Block[] }; filename: string; content: string };

const outcomeWords: Record<AgentResult["outcome"], string> = {
  succeeded: ":white_check_mark: Done",
  failed: ":x: Failed",
  cancelled: ":no_entry_sign: Cancelled",
  timed_out: ":alarm_clock: Timed out",
  budget_exceeded: ":money_with_wings: Budget reached",
};

/** Outcomes after which a reply continues the same session (the others: a reply tries again). */
const continuable: ReadonlySet<AgentResult["outcome"]> = new Set([
  "succeeded",
  "cancelled",
  "timed_out",
  "budget_exceeded",
]);

/** Outcome · duration · cost · hint, the footer of the answer's last message. */
export function answerFooter(result: AgentResult, cancelledBy?: string): string {
  const bits = [
    outcomeWords[result.outcome] + (result.outcome === "cancelled" && cancelledBy ? ` by <@${cancelledBy}>` : ""),
    formatDuration(result.durationMs),
    formatCost(result.costUsd),
    continuable.has(result.outcome) ? "Reply in this thread to continue" : "Reply in this thread to try again",
  ];
  return bits.filter(Boolean).join(" · ");
}

/** Split markdown on line boundaries into pieces of at most `max` characters, keeping code fences balanced. */
export function splitMarkdown(text: string, max = AnswerChunkChars): string[] {
  const parts: string[] = [];
  let current = "";
  let inFence = false;
  const flush = () => {
    if (inFence) current += "\n```";
    parts.push(current);
    current = inFence ? "```\n" : "";
  };
  for (const rawLine of text.split("\n")) {
    let line = rawLine;
    while (line.length > max - 8) {
      if (current) flush();
      current += line.slice(0, max - 8);
      line = line.slice(max - 8);
      flush();
    }
    if (current.length + line.length + 1 > max - 4 && current) flush();
    current += (current && !current.endsWith("\n") ? "\n" : "") + line;
    if (/^\s*```/.test(line)) inFence = !inFence;
  }
  if (current.trim()) parts.push(current);
  return parts.length ? parts : [""];
}

function message(body: string, footer?: string, tail: Block[] = []): { text: string; blocks: Block[] } {
  const blocks: Block[] = [];
  if (body.trim()) blocks.push({ type: "markdown", text: body });
  blocks.push(...tail);
  if (footer) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: footer }] });
  return { text: truncate(body.trim() || footer || "(no answer)", 3000), blocks };
}

/** The answer's footer (what happened, outcome · duration · cost · hint) as blocks: a streamed answer ends with it. */
export function answerFooterBlocks(result: AgentResult, cancelledBy?: string): Block[] {
  return message("", footerOf(result, cancelledBy)).blocks;
}

function footerOf(result: AgentResult, cancelledBy?: string): string {
  const footer = answerFooter(result, cancelledBy);
  const reason =
    result.outcome !== "succeeded" && result.error ? `*What happened:* ${toMrkdwn(result.error)}` : undefined;
  return reason ? `${reason}\n${footer}` : footer;
}

/**
 * How to post a finished run's answer: one or a few messages, or a file with a preview. Where no
 * file can go (`canAttach: false`, a response_url), a very long answer is cut after
 * `AnswerMaxParts` messages and says so. `tail`: blocks ahead of the footer of the last message
 * (the files the run changed, **Open pull request**).
 */
export function planAnswer(
  result: AgentResult,
  cancelledBy?: string,
  { canAttach = true, tail = [] }: { canAttach?: boolean; tail?: Block[] } = {},
): AnswerDelivery {
  const text = result.text.trim();
  const footerWithReason = footerOf(result, cancelledBy);
  if (!text) return { kind: "messages", parts: [message("", footerWithReason, tail)] };
  const pieces = splitMarkdown(text);
  if (pieces.length <= AnswerMaxParts) {
    return {
      kind: "messages",
      parts: pieces.map((p, i) =>
        i === pieces.length - 1 ? message(p, footerWithReason, tail) : message(p, undefined),
      ),
    };
  }
  if (!canAttach) {
    const shown = pieces.slice(0, AnswerMaxParts);
    const cut = `_…the answer is ${text.length.toLocaleString("en")} characters long; the rest could not be shown here._`;
    return {
      kind: "messages",
      parts: shown.map((p, i) =>
        i === shown.length - 1 ? message(`${p}\n\n${cut}`, footerWithReason, tail) : message(p, undefined),
      ),
    };
  }
  const preview = `${splitMarkdown(text, 1500)[0]}\n\n_…the full answer (${text.length.toLocaleString("en")} characters) is attached as answer.md._`;
  return { kind: "file", preview: message(preview, footerWithReason, tail), filename: "answer.md", content: text };
}
