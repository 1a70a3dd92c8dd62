import { toMrkdwn } from "../../agents/tool-summary.js";
import type { ProjectSummary } from "../../ci/project-service.js";
import { slackLink } from "../../slack/format.js";
import { projectsOf } from "./project-replies.js";
import type { Command } from "./types.js";

/** Projects listed in one answer; the rest are counted. */
export const ProjectListLines = 40;

const CiWords: Record<string, string> = {
  success: ":white_check_mark: passing",
  failure: ":x: failing",
  error: ":x: errored",
  killed: ":no_entry_sign: killed",
  canceled: ":no_entry_sign: cancelled",
  running: ":gear: running",
  pending: ":hourglass_flowing_sand: pending",
  created: ":hourglass_flowing_sand: pending",
  blocked: ":raised_hand: waiting for approval",
  declined: ":no_entry_sign: declined",
  skipped: ":heavy_minus_sign: skipped",
  none: "no builds yet",
  unknown: "CI status unknown (Woodpecker did not answer)",
};

function repoText(p: ProjectSummary): string {
  if (!p.repoUrl) return "no repository yet";
  if (p.location === "local") return `local repository \`${toMrkdwn(p.repoUrl)}\``;
  return slackLink(p.repoUrl, p.repoUrl.replace(/^https?:\/\/[^/]+\//, ""));
}

/** One project: name, repository link, CI status of the default branch, bound channels. */
export function projectLine(p: ProjectSummary): string {
  const ci =
    p.location === "local" ? "no CI (local)" : p.ciUrl ? `CI ${CiWords[p.ci] ?? toMrkdwn(p.ci)}` : "CI not active";
  const status = p.status === "ready" ? "" : ` _(${p.status.replace("_", " ")})_`;
  const channels = p.channels.length ? p.channels.map((c) => `<#${c.channelId}>`).join(", ") : "no channel";
  return `• *${toMrkdwn(p.name)}*${status} — ${repoText(p)} · ${ci} · ${channels}`;
}

/** `/agent project list`. */
export const projectListCommand: Command = {
  name: "project list",
  adminOnly: false,
  takesArgs: false,
  usage: "",
  summary: "every project: its repository, the CI status of its default branch, the channels bound to it.",
  async run(_args, ctx) {
    const projects = await projectsOf(ctx, "project list");
    if (!projects) return;
    await ctx.ack();
    const list = await projects.list();
    if (!list.length) {
      return ctx.respond(
        `No projects yet. An admin creates one with \`${ctx.prefix} project new NAME --template node\`.`,
      );
    }
    const lines = list.slice(0, ProjectListLines).map(projectLine);
    if (list.length > ProjectListLines) lines.push(`• …and ${list.length - ProjectListLines} more`);
    await ctx.respond(
      [`*Projects* (${list.length})`, ...lines, `Bind this channel to one: \`${ctx.prefix} project use NAME\``].join(
        "\n",
      ),
    );
  },
};
