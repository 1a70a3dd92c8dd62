import { toMrkdwn } from "../agents/tool-summary.js";
import type { RunChanges } from "../worker/run-changes.js";
import { ActionIds } from "./actions.js";
import { codeBlock, plural, slackLink, truncate } from "./format.js";
import type { Block } from "./slack-api.js";

/**
 * What the thread reads about its branch, its pull request and the CI: the changed files under a
 * run's answer (with **Open pull request**), the pull request's link, and each CI verdict (with
 * **Fix the build** after a failure).
 */

export type Message = { text: string; blocks: Block[] };

const section = (text: string): Block => ({ type: "section", text: { type: "mrkdwn", text: truncate(text, 3000) } });

const button = (text: string, actionId: string, value: string, primary = false): Block => ({
  type: "actions",
  elements: [
    {
      type: "button",
      text: { type: "plain_text", text },
      action_id: actionId,
      value,
      ...(primary ? { style: "primary" } : {}),
    },
  ],
});

/** Text the agent chose (file names, paths) as a code block: escaped, no fence inside can close it. */
function fenced(text: string): string {
  return `\`\`\`\n${toMrkdwn(text.replace(/```/g, "`\u200b``").trimEnd())}\n\`\`\``;
}

/** Blocks under a run's answer: the stat, and what to do next. `statAttached`: the whole stat follows as a file. */
export function changesBlocks(changes: RunChanges): Block[] {
  if (changes.kind === "none") return [];
  const counts = `${plural(changes.fileCount, "file")} changed, +${changes.insertions} −${changes.deletions}`;
  const head = `*Changed on \`${changes.branch}\`:* ${counts}${changes.fullStat ? " (the full list is attached)" : ""}`;
  const blocks: Block[] = [section(`${head}\n${fenced(changes.stat)}`)];
  const next = changes.next;
  if (next.kind === "open_pull_request")
    blocks.push(button("Open pull request", ActionIds.openPullRequest, changes.branch, true));
  else if (next.kind === "updating_pull_request") {
    blocks.push(section(`Pushing this to ${slackLink(next.url, `pull request #${next.number}`)}…`));
  } else {
    blocks.push(
      section(
        `This project has no forge: the changes are committed on the local branch \`${changes.branch}\`. Fetch it with:\n${fenced(next.fetch)}`,
      ),
    );
  }
  return blocks;
}

export function pullRequestOpened(pr: { number: number; url: string; branch: string; base: string }): Message {
  const text = `:arrow_heading_up: Opened pull request #${pr.number}: ${pr.url}`;
  return {
    text,
    blocks: [
      section(
        `:arrow_heading_up: Opened ${slackLink(pr.url, `pull request #${pr.number}`)} (\`${pr.branch}\` → \`${pr.base}\`). The CI verdict will be posted here.`,
      ),
    ],
  };
}

export function pullRequestUpdated(pr: { number: number; url: string; sha: string }): Message {
  const text = `:arrow_heading_up: Pushed ${pr.sha.slice(0, 8)} to pull request #${pr.number}: ${pr.url}`;
  return {
    text,
    blocks: [
      section(
        `:arrow_heading_up: Pushed \`${pr.sha.slice(0, 8)}\` to ${slackLink(pr.url, `pull request #${pr.number}`)}. The CI verdict will be posted here.`,
      ),
    ],
  };
}

export function pullRequestUnchanged(pr: { number: number; url: string }): Message {
  const text = `Pull request #${pr.number} is up to date: ${pr.url}`;
  return { text, blocks: [section(`${slackLink(pr.url, `Pull request #${pr.number}`)} is open and up to date.`)] };
}

export function noChanges(branch: string): Message {
  const text = `This thread's branch ${branch} has no changes: there is nothing to open a pull request for.`;
  return {
    text,
    blocks: [
      section(`This thread's branch \`${branch}\` has no changes: there is nothing to open a pull request for.`),
    ],
  };
}

export function noForge(branch: string, fetch: string): Message {
  const text = `This project has no forge: the branch ${branch} stays local.`;
  return {
    text,
    blocks: [
      section(`This project has no forge: the branch \`${branch}\` stays local. Fetch it with:\n${fenced(fetch)}`),
    ],
  };
}

export function pullRequestFailed(reason: string): Message {
  const text = `:x: The pull request could not be opened: ${reason}`;
  return { text, blocks: [section(`:x: The pull request could not be opened: ${toMrkdwn(reason)}`)] };
}

export interface Verdict {
  state: "success" | "failure" | "error" | "timeout";
  sha: string;
  prNumber: number;
  prUrl: string;
  /** The CI's page of the run (the status's target URL). */
  targetUrl?: string;
  context?: string;
  /** The failing step and the end of its log (secrets removed). */
  tail?: { step: string; workflow: string; lines: string[] };
  deadlineMinutes?: number;
}

export function verdictMessage(v: Verdict): Message {
  const short = v.sha.slice(0, 8);
  const pr = slackLink(v.prUrl, `#${v.prNumber}`);
  const details = v.targetUrl ? ` — ${slackLink(v.targetUrl, v.context || "details")}` : "";
  if (v.state === "success") {
    const text = `:white_check_mark: CI passed on ${short} (pull request #${v.prNumber})`;
    return { text, blocks: [section(`:white_check_mark: *CI passed* on \`${short}\` (${pr})${details}`)] };
  }
  if (v.state === "timeout") {
    const text = `:hourglass: No CI verdict for ${short} within ${v.deadlineMinutes ?? "?"} minutes`;
    return {
      text,
      blocks: [
        section(
          `:hourglass: No CI verdict for \`${short}\` (${pr}) within ${v.deadlineMinutes ?? "?"} minutes; I stopped waiting.`,
        ),
      ],
    };
  }
  const text = `:x: CI failed on ${short} (pull request #${v.prNumber})`;
  const blocks: Block[] = [section(`:x: *CI failed* on \`${short}\` (${pr})${details}`)];
  if (v.tail) {
    blocks.push(
      section(
        `*Step \`${toMrkdwn(v.tail.step)}\`* (${toMrkdwn(v.tail.workflow)}), last lines:\n${codeBlock(v.tail.lines, 2_600)}`,
      ),
    );
  }
  blocks.push(button("Fix the build", ActionIds.fixBuild, v.sha));
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: "Or reply in this thread to continue." }] });
  return { text, blocks };
}

/** The verdict in plain text (no markup): what "Fix the build" tells the agent the CI said. */
export function verdictPlainText(v: Verdict): string {
  const lines = [
    `CI ${v.state === "success" ? "passed" : v.state} on ${v.sha}${v.context ? ` (${v.context})` : ""}${v.targetUrl ? `: ${v.targetUrl}` : ""}`,
  ];
  if (v.tail) lines.push(`Failing step ${v.tail.step} (${v.tail.workflow}), last lines of its log:`, ...v.tail.lines);
  return lines.join("\n");
}
