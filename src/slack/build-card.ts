import { toMrkdwn } from "../agents/tool-summary.js";
import type { BuildOutcome, FailingStep } from "../ci/build/run-build.js";
import { codeBlock, SlackLimits, slackLink, truncate } from "./format.js";
import type { Block } from "./slack-api.js";

export type BuildCardStatus =
  | "queued"
  | "running"
  | "passed"
  | "failed"
  /** Not finished at the deadline (the pipeline keeps running in the CI). */
  | "still_running"
  /** No workflow runs for a manual pipeline. */
  | "filtered"
  /** Could not start or be followed: `note` says why. */
  | "error"
  | "interrupted";

/** What the card of `/agent build` shows. */
export interface BuildCardState {
  project: string;
  /** Absent until known: the project's default branch. */
  branch?: string;
  userId?: string;
  status: BuildCardStatus;
  pipeline?: { number: number; url: string; status?: string };
  failing?: FailingStep;
  note?: string;
}

export function newBuildCard(input: Pick<BuildCardState, "project" | "branch" | "userId">): BuildCardState {
  return { ...input, status: "queued" };
}

export function applyOutcome(state: BuildCardState, o: BuildOutcome): void {
  state.branch = o.branch;
  if (o.kind === "filtered") {
    state.status = "filtered";
    return;
  }
  state.pipeline = { number: o.pipeline.number, url: o.pipeline.url, status: o.pipeline.status };
  if (o.kind === "deadline") state.status = "still_running";
  else {
    state.status = o.pipeline.status === "success" ? "passed" : "failed";
    state.failing = o.failing;
  }
}

function pipelineRef(state: BuildCardState): string {
  return state.pipeline ? `pipeline ${slackLink(state.pipeline.url, `#${state.pipeline.number}`)}` : "a pipeline";
}

/** The one line a card and its thread message start with. */
export function buildHeadline(state: BuildCardState): string {
  const name = `*${toMrkdwn(state.project)}*`;
  const on = state.branch ? ` on \`${toMrkdwn(state.branch)}\`` : "";
  switch (state.status) {
    case "queued":
      return `:hourglass_flowing_sand: Build of ${name}${on} queued`;
    case "running":
      return `:gear: Building ${name}${on}: ${pipelineRef(state)} is running`;
    case "passed":
      return `:white_check_mark: ${name}${on}: ${pipelineRef(state)} passed`;
    case "failed": {
      const where = state.failing ? ` at step \`${toMrkdwn(state.failing.step)}\`` : "";
      return `:x: ${name}${on}: ${pipelineRef(state)} ${toMrkdwn(state.pipeline?.status ?? "failed")}${where}`;
    }
    case "still_running":
      return `:hourglass: ${name}${on}: ${pipelineRef(state)} is still ${toMrkdwn(state.pipeline?.status ?? "running")} — stopped waiting; see Woodpecker for the result`;
    case "filtered":
      return `:heavy_minus_sign: ${name}${on}: Woodpecker ran no workflow for a manual pipeline (no workflow in \`.woodpecker/\` runs on \`event: manual\`)`;
    case "error":
      return `:x: Build of ${name}${on} could not run`;
    case "interrupted":
      return `:warning: Build of ${name}${on} was interrupted`;
  }
}

export function buildFallback(state: BuildCardState): string {
  return truncate(
    buildHeadline(state)
      .replace(/^:[a-z_]+: /, "")
      .replace(/<[^|>]+\|([^>]+)>/g, "$1")
      .replace(/[*`]/g, ""),
    300,
  );
}

/** The build's card (a root message, or a reply where it was asked for in a thread). */
export function renderBuildCard(state: BuildCardState): { text: string; blocks: Block[] } {
  const who = state.userId ? ` — asked by <@${state.userId}>` : "";
  const blocks: Block[] = [
    {
      type: "section",
      text: { type: "mrkdwn", text: truncate(`${buildHeadline(state)}${who}`, SlackLimits.sectionText) },
    },
  ];
  if (state.note) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(toMrkdwn(state.note), 2_000) }] });
  }
  return { text: buildFallback(state), blocks };
}

/** The result in the build's thread: the headline, and on failure the failing step's last log lines. */
export function buildResultMessage(state: BuildCardState): { text: string; blocks: Block[] } {
  const parts = [buildHeadline(state)];
  if (state.note) parts.push(toMrkdwn(state.note));
  if (state.failing?.lines.length) {
    parts.push(
      `Last lines of \`${toMrkdwn(state.failing.step)}\` (${toMrkdwn(state.failing.workflow)}):\n${codeBlock(state.failing.lines, 2_400)}`,
    );
  }
  return {
    text: buildFallback(state),
    blocks: [{ type: "section", text: { type: "mrkdwn", text: truncate(parts.join("\n"), SlackLimits.sectionText) } }],
  };
}
