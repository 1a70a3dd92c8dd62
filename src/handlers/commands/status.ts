import { DefaultAvailabilityTimeoutMs } from "../../agents/port.js";
import { toMrkdwn } from "../../agents/tool-summary.js";
import type { Job } from "../../store/queue/types.js";
import { parseThreadKey } from "../../store/thread-key.js";
import { AgentRunPayload } from "../../worker/agent-run-payload.js";
import { isDirectMessage } from "../authorize.js";
import type { HandlerDeps } from "../deps.js";
import type { Command } from "./types.js";

/** Active jobs one status reads (oldest first); past it, counts say "at least". */
export const StatusScanLimit = 500;
/** Runs listed in detail; the rest are counted. */
export const StatusDetailLines = 20;

export interface StatusViewer {
  /** The conversation the status was asked in: its runs are shown in detail. */
  channel: string;
  /** Admins see every run of every channel and DM in detail. */
  isAdmin: boolean;
}

function channelOf(job: Job, payload: AgentRunPayload | undefined): string | undefined {
  return payload?.channelId ?? parseThreadKey(job.threadKey)?.channelId;
}

function where(channel: string | undefined): string {
  if (!channel) return "somewhere";
  return isDirectMessage(channel) ? "a DM" : `<#${channel}>`;
}

function runLine(job: Job, payload: AgentRunPayload | undefined, showWhere: boolean): string {
  const what = payload
    ? `<@${payload.userId}>: ${toMrkdwn(payload.prompt.replace(/\s+/g, " ").slice(0, 80))}`
    : job.kind;
  const since = job.startedAt ?? job.createdAt;
  const state = job.status === "running" ? ":gear: running" : ":hourglass_flowing_sand: queued";
  const place = showWhere ? ` in ${where(channelOf(job, payload))}` : "";
  return `• ${state}${place} since <!date^${Math.floor(since.getTime() / 1000)}^{time}|${since.toISOString()}> — ${what}`;
}

function count(n: number, capped: boolean): string {
  return `${n}${capped ? "+" : ""} ${n === 1 && !capped ? "run" : "runs"}`;
}

/**
 * `/agent status`: each agent's availability (bounded), then queued and running runs — those of
 * the conversation it was asked in with who asked and what; elsewhere only a count (prompts of
 * other channels and DMs are not shown); admins see everything, with where each run is.
 */
export async function statusText(
  deps: HandlerDeps,
  viewer: StatusViewer,
  timeoutMs = DefaultAvailabilityTimeoutMs,
): Promise<string> {
  const agents = await Promise.all(
    deps.registry.all().map(async (agent) => {
      const a = await agent
        .checkAvailability({ timeoutMs })
        .catch((err: unknown) => ({ available: false as const, reason: String(err) }));
      return a.available
        ? `• \`${agent.id}\` :large_green_circle: ${toMrkdwn(a.version)}`
        : `• \`${agent.id}\` :red_circle: ${toMrkdwn(a.reason)}`;
    }),
  );
  const jobs = await deps.queue.listActive({ limit: StatusScanLimit });
  const capped = jobs.length >= StatusScanLimit;
  const runs = jobs.map((job) => {
    const p = AgentRunPayload.safeParse(job.payload);
    const payload = p.success ? p.data : undefined;
    return { job, payload, here: channelOf(job, payload) === viewer.channel };
  });
  const shown = viewer.isAdmin ? runs : runs.filter((r) => r.here);
  const elsewhere = runs.length - shown.length;
  const lines = shown.slice(0, StatusDetailLines).map((r) => runLine(r.job, r.payload, viewer.isAdmin));
  if (shown.length > StatusDetailLines) lines.push(`• …and ${shown.length - StatusDetailLines} more`);

  const heading = viewer.isAdmin
    ? `*Runs* (${count(runs.length, capped)} queued or running, everywhere)`
    : `*Runs here* (${count(shown.length, capped)} queued or running)`;
  return [
    "*Agents*",
    ...(agents.length ? agents : ["• none registered"]),
    heading,
    ...(lines.length ? lines : ["• nothing queued or running"]),
    ...(!viewer.isAdmin && elsewhere
      ? [
          `Elsewhere: ${count(elsewhere, capped)} queued or running in other channels and DMs (details for admins only).`,
        ]
      : []),
  ].join("\n");
}

export const statusCommand: Command = {
  name: "status",
  adminOnly: false,
  takesArgs: false,
  usage: "",
  summary:
    "the agents and whether they are available; runs queued or running in this conversation (admins: everywhere).",
  async run(_args, ctx) {
    await ctx.ack();
    await ctx.respond(await statusText(ctx.deps, { channel: ctx.channel, isAdmin: ctx.isAdmin }));
  },
};
