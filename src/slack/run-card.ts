import { toMrkdwn } from "../agents/tool-summary.js";
import { ActionIds } from "./actions.js";
import type { CardStatus, RunCardState, ToolLine } from "./card-state.js";
import { formatCost, formatDuration, plural, quote, SlackLimits, truncate } from "./format.js";
import type { Block } from "./slack-api.js";

const statusWords: Record<CardStatus, string> = {
  queued: ":hourglass_flowing_sand: Queued",
  running: ":gear: Running",
  succeeded: ":white_check_mark: Done",
  failed: ":x: Failed",
  cancelled: ":no_entry_sign: Cancelled",
  timed_out: ":alarm_clock: Timed out",
  budget_exceeded: ":money_with_wings: Budget reached",
  interrupted: ":warning: Interrupted",
};

export function isLive(status: CardStatus): boolean {
  return status === "queued" || status === "running";
}

function toolMark(t: ToolLine): string {
  return t.state === "ok" ? "✓" : t.state === "failed" ? "✗" : "…";
}

function elapsed(state: RunCardState, now: number): string | undefined {
  if (state.startedAt === undefined) return undefined;
  return formatDuration((state.finishedAt ?? now) - state.startedAt);
}

/** The one-line notification text (also the screen-reader fallback). */
export function cardFallbackText(state: RunCardState): string {
  const word = statusWords[state.status].replace(/^:[a-z_]+: /, "");
  return truncate(`${word}: ${state.prompt.replace(/\s+/g, " ").trim()}`, 300);
}

/**
 * The run card: who asked, what, agent, model, project, status, elapsed, the last tools (verbose
 * cards), counts, cost so far, Cancel while live.
 */
export function renderRunCard(state: RunCardState, now: number): { text: string; blocks: Block[] } {
  const where = [
    state.provider ? `agent *${toMrkdwn(state.provider)}*` : undefined,
    state.model ? `model *${toMrkdwn(state.model)}*` : undefined,
    state.project ? `project *${toMrkdwn(state.project)}*` : undefined,
  ]
    .filter(Boolean)
    .join(" · ");
  const head = `${statusWords[state.status]}${where ? ` · ${where}` : ""}\n<@${state.userId}> asked:\n${quote(state.prompt)}`;
  const blocks: Block[] = [
    { type: "section", text: { type: "mrkdwn", text: truncate(head, SlackLimits.sectionText) } },
  ];

  // Quiet cards (the channel's `/agent quiet`) show counts only; failures still show in the note.
  if (state.tools.length && !state.quiet) {
    const lines = state.tools.map((t) => `${toolMark(t)} ${toMrkdwn(t.summary)}`).join("\n");
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(lines, SlackLimits.sectionText) } });
  }
  if (state.cancelledBy) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `Cancelled by <@${state.cancelledBy}>` } });
  }
  if (state.note) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(toMrkdwn(state.note), SlackLimits.sectionText) },
    });
  }

  const facts = [
    elapsed(state, now) ? `:stopwatch: ${elapsed(state, now)}` : undefined,
    state.toolCount ? plural(state.toolCount, "tool use") : undefined,
    state.commandsRun ? `${plural(state.commandsRun, "command")} run` : undefined,
    state.filesChanged.length ? `${plural(state.filesChanged.length, "file")} changed` : undefined,
    formatCost(state.costUsd),
  ].filter((x): x is string => Boolean(x));
  if (facts.length) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: facts.join(" · ") }] });

  if (isLive(state.status)) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: ActionIds.cancel,
          style: "danger",
          text: { type: "plain_text", text: "Cancel" },
          value: state.threadTs || "cancel",
        },
      ],
    });
  }
  return { text: cardFallbackText(state), blocks };
}
