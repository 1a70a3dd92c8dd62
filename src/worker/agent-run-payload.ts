import { z } from "zod";

/**
 * The payload of an `agent_run` job: everything a worker needs to run one turn and report
 * it back to its Slack thread. Stored as JSON in the jobs table; parsed with this schema
 * when claimed, so a malformed row fails that job clearly instead of crashing a worker.
 */
export const AgentRunPayload = z.object({
  teamId: z.string().min(1),
  channelId: z.string().min(1),
  /** Root ts of the thread that is the session. */
  threadTs: z.string().min(1),
  /** Who asked. */
  userId: z.string().min(1),
  prompt: z.string(),
  /** Requested provider; absent: the thread's provider, else the registry default. */
  provider: z.string().optional(),
  /** Model for this run (`model=NAME`, checked against the provider's accepted names); absent: its default. */
  model: z.string().optional(),
  /** How the run card shows progress: `quiet` (status, elapsed, counts) or `verbose` (each tool). Absent: verbose. */
  verbosity: z.enum(["quiet", "verbose"]).optional(),
  /** Project name; absent: the channel's project or the default workspace. */
  project: z.string().optional(),
  /** ts of the run card message to keep live (absent: the publisher posts one). */
  cardTs: z.string().optional(),
  /** Earlier messages of the thread (who said what), when the bot was mentioned inside a discussion. */
  context: z.string().optional(),
  /** How the run was asked for. */
  source: z.enum(["slash", "mention", "reply", "dm", "cli"]),
  /** Slash command response URL (ephemeral follow-ups), valid 30 minutes. */
  responseUrl: z.string().optional(),
  /** Files shared with the request (checked against the size and type limits), fetched by the worker. */
  files: z
    .array(
      z.object({
        id: z.string().min(1),
        name: z.string(),
        mimetype: z.string(),
        size: z.number().nonnegative(),
        url: z.string().url(),
      }),
    )
    .max(10)
    .optional(),
  /** ts of the message that carried the request (names its stored files). */
  messageTs: z.string().optional(),
});
export type AgentRunPayload = z.infer<typeof AgentRunPayload>;
