import { toMrkdwn } from "../agents/tool-summary.js";
import {
  type ProvisionStatus,
  ProvisionSteps,
  type StepId,
  StepMarks,
  type StepReport,
  StepTitles,
} from "../ci/provision/report.js";
import { codeBlock, SlackLimits, slackLink, truncate } from "./format.js";
import type { Block } from "./slack-api.js";

export type ProvisionCardStatus = "queued" | "running" | ProvisionStatus | "interrupted";

/** What a provisioning card shows: the request, and the latest report of each step. */
export interface ProvisionCardState {
  project: string;
  template: string;
  /** Who asked (a Slack user id). */
  userId?: string;
  status: ProvisionCardStatus;
  steps: Partial<Record<StepId, StepReport>>;
  /** Why the card stopped (interrupted), shown under the steps. */
  note?: string;
  /** Slash command prefix for the "run it again" hint. */
  prefix: string;
}

export function newProvisionCard(
  input: Pick<ProvisionCardState, "project" | "template" | "userId"> & { prefix?: string },
): ProvisionCardState {
  return { ...input, prefix: input.prefix ?? "/agent", status: "queued", steps: {} };
}

/** Record a step report (the latest per step wins). */
export function applyStep(state: ProvisionCardState, report: StepReport): void {
  if (state.status === "queued") state.status = "running";
  state.steps[report.step] = report;
}

const Heads: Record<ProvisionCardStatus, (p: string) => string> = {
  queued: (p) => `:hourglass_flowing_sand: Setting up project *${p}* (queued)`,
  running: (p) => `:gear: Setting up project *${p}*`,
  ready: (p) => `:white_check_mark: Project *${p}* is ready`,
  needs_attention: (p) => `:warning: Project *${p}* needs attention`,
  failed: (p) => `:x: Project *${p}* was not created`,
  interrupted: (p) => `:warning: Setting up project *${p}* was interrupted`,
};

/** A step's text and link, then the manual step and log lines under it. */
function stepBody(r: StepReport): string {
  const label = r.link && r.link.label !== r.text ? ` — ${slackLink(r.link.url, r.link.label)}` : "";
  const text = r.link && r.link.label === r.text ? slackLink(r.link.url, r.text) : toMrkdwn(r.text);
  const manual = r.manual ? `\n      ↳ ${toMrkdwn(r.manual)}` : "";
  const detail = r.detail?.length ? `\n${codeBlock(r.detail, 1_200)}` : "";
  return `${text}${label}${manual}${detail}`;
}

/** One step as mrkdwn: mark, title, text, link; the manual step and log lines under it. */
export function stepLine(r: StepReport): string {
  return `${StepMarks[r.state]} *${StepTitles[r.step]}*: ${stepBody(r)}`;
}

function pendingLine(step: StepId): string {
  return `○ ${StepTitles[step]}`;
}

export function provisionFallback(state: ProvisionCardState): string {
  return Heads[state.status](state.project)
    .replace(/^:[a-z_]+: /, "")
    .replace(/\*/g, "");
}

/**
 * The provisioning card: who asked for which project, then every step (✓ done, … running, ⚠ a
 * person must act, ✗ failed, – skipped, ○ not reached yet) with its link, manual step and log tail.
 */
export function renderProvisionCard(state: ProvisionCardState): { text: string; blocks: Block[] } {
  const name = toMrkdwn(state.project);
  const who = state.userId ? ` — asked by <@${state.userId}>` : "";
  const head = `${Heads[state.status](name)} · template \`${toMrkdwn(state.template)}\`${who}`;
  const blocks: Block[] = [
    { type: "section", text: { type: "mrkdwn", text: truncate(head, SlackLimits.sectionText) } },
  ];
  const reported = ProvisionSteps.some((s) => state.steps[s]);
  // A card finished by another process (interrupted by the reaper) has no step reports to show.
  if (reported || state.status === "queued" || state.status === "running") {
    const lines = ProvisionSteps.map((s) => {
      const r = state.steps[s];
      return r ? stepLine(r) : pendingLine(s);
    });
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(lines.join("\n"), SlackLimits.sectionText) },
    });
  }
  const hint = againHint(state);
  const note = [state.note ? toMrkdwn(state.note) : undefined, hint].filter(Boolean).join("\n");
  if (note)
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(note, SlackLimits.sectionText) }] });
  return { text: provisionFallback(state), blocks };
}

function againHint(state: ProvisionCardState): string | undefined {
  const again = `\`${state.prefix} project new ${toMrkdwn(state.project)} --template ${toMrkdwn(state.template)}\``;
  if (state.status === "ready")
    return `Bind a channel to it: \`${state.prefix} project use ${toMrkdwn(state.project)}\``;
  if (state.status === "needs_attention" || state.status === "interrupted")
    return `Once fixed, run ${again} again: it finishes what is missing and duplicates nothing.`;
  return undefined;
}

/**
 * The thread message at the end of provisioning: the first build's result (its failing step's log
 * tail), and what a person must do for each ⚠ or ✗ step.
 */
export function provisionSummary(state: ProvisionCardState): { text: string; blocks: Block[] } {
  const name = toMrkdwn(state.project);
  const result = state.steps.build_result;
  const lines: string[] = [];
  if (result && (result.state === "done" || result.state === "failed" || result.state === "manual")) {
    lines.push(`${StepMarks[result.state]} First build of *${name}*: ${stepBody(result)}`);
  }
  const attention = ProvisionSteps.map((s) => state.steps[s]).filter(
    (r): r is StepReport => r !== undefined && r !== result && (r.state === "failed" || r.state === "manual"),
  );
  for (const r of attention) lines.push(stepLine(r));
  const head = Heads[state.status](name);
  const text = [head, ...lines, againHint(state)].filter(Boolean).join("\n");
  return {
    text: provisionFallback(state),
    blocks: [{ type: "section", text: { type: "mrkdwn", text: truncate(text, SlackLimits.sectionText) } }],
  };
}
