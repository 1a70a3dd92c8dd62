import { toMrkdwn } from "../agents/tool-summary.js";
import { ActionIds, permissionButtonValue } from "./actions.js";
import { formatDuration, SlackLimits, truncate } from "./format.js";
import type { Block } from "./slack-api.js";

export interface PermissionAsk {
  jobId: string;
  requestId: string;
  userId: string;
  tool: string;
  summary: string;
  timeoutMs?: number;
}

/** Plain-text question, also the message's fallback text. */
export function permissionQuestion(ask: Pick<PermissionAsk, "tool" | "summary">): string {
  return truncate(`The agent asks to use ${ask.tool}: ${ask.summary}`, 300);
}

/** The thread message asking the requester (or an admin) to approve or deny one tool use. */
export function renderPermissionRequest(ask: PermissionAsk): { text: string; blocks: Block[] } {
  const value = permissionButtonValue(ask.jobId, ask.requestId);
  const wait = ask.timeoutMs ? ` Unanswered requests are denied after ${formatDuration(ask.timeoutMs)}.` : "";
  const text = `:raised_hand: <@${ask.userId}>, the agent asks to use *${toMrkdwn(ask.tool)}*:\n>${toMrkdwn(ask.summary)}\nOnly you or an admin can answer.${wait}`;
  return {
    text: permissionQuestion(ask),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: truncate(text, SlackLimits.sectionText) } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ActionIds.approve,
            style: "primary",
            text: { type: "plain_text", text: "Approve" },
            value,
          },
          {
            type: "button",
            action_id: ActionIds.deny,
            style: "danger",
            text: { type: "plain_text", text: "Deny" },
            value,
          },
        ],
      },
    ],
  };
}

/** The same message once answered (buttons removed). */
export function renderPermissionAnswered(
  /** The request's fallback text (`permissionQuestion`). */
  question: string,
  answer: { allow: boolean; by?: string; timedOut?: boolean; reason?: string },
): { text: string; blocks: Block[] } {
  const verdict = answer.timedOut
    ? `:no_entry: Denied automatically: ${toMrkdwn(answer.reason ?? "nobody answered in time")}`
    : answer.allow
      ? `:white_check_mark: Approved by <@${answer.by}>`
      : `:no_entry: Denied by <@${answer.by}>`;
  const text = `${verdict}\n>${toMrkdwn(question)}`;
  return {
    text: truncate(verdict.replace(/^:[a-z_]+: /, ""), 300),
    blocks: [{ type: "section", text: { type: "mrkdwn", text: truncate(text, SlackLimits.sectionText) } }],
  };
}
