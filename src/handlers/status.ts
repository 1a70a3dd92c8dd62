import { DefaultAvailabilityTimeoutMs } from "../agents/port.js";
import { toMrkdwn } from "../agents/tool-summary.js";
import { AgentRunPayload } from "../worker/agent-run-payload.js";
import type { HandlerDeps } from "./deps.js";

/** `/agent status`: each agent's availability (bounded), then queued and running runs. */
export async function statusText(deps: HandlerDeps, timeoutMs = DefaultAvailabilityTimeoutMs): Promise<string> {
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
  const jobs = await deps.queue.listActive({ limit: 20 });
  const runs = jobs.map((job) => {
    const p = AgentRunPayload.safeParse(job.payload);
    const what = p.success
      ? `<@${p.data.userId}>: ${toMrkdwn(p.data.prompt.replace(/\s+/g, " ").slice(0, 80))}`
      : job.kind;
    const since = job.startedAt ?? job.createdAt;
    return `• ${job.status === "running" ? ":gear: running" : ":hourglass_flowing_sand: queued"} since <!date^${Math.floor(since.getTime() / 1000)}^{time}|${since.toISOString()}> — ${what}`;
  });
  return [
    "*Agents*",
    ...(agents.length ? agents : ["• none registered"]),
    `*Runs* (${jobs.length} queued or running)`,
    ...(runs.length ? runs : ["• nothing queued or running"]),
  ].join("\n");
}
