import { z } from "zod";

/** Payload of a `pull_request` job: commit, push and open (or update) the thread's pull request. */
export const PullRequestPayload = z.object({
  teamId: z.string().min(1),
  channelId: z.string().min(1),
  threadTs: z.string().min(1),
  /** Who asked (the commit's author). */
  userId: z.string().min(1),
  /** Their Slack display name, resolved when they asked. */
  userName: z.string().optional(),
  project: z.string().min(1),
  /** The button, `/agent pr` / `@codethread pr`, or a run in a thread whose pull request is open. */
  source: z.enum(["button", "command", "run"]),
});
export type PullRequestPayload = z.infer<typeof PullRequestPayload>;

/** Payload of a `ci_watch` job: wait for the CI verdict of one commit of the thread's pull request. */
export const CiWatchPayload = z.object({
  teamId: z.string().min(1),
  channelId: z.string().min(1),
  threadTs: z.string().min(1),
  project: z.string().min(1),
  owner: z.string().min(1),
  repo: z.string().min(1),
  branch: z.string().min(1),
  sha: z.string().regex(/^[0-9a-f]{7,64}$/),
  prNumber: z.number().int(),
  prUrl: z.string(),
  /** ISO time after which the watch gives up (kept across the watch's restarts). */
  deadlineAt: z.string(),
  /** How long that is from the push, for the "no verdict within N minutes" message. */
  deadlineMinutes: z.number().int().min(1).optional(),
  /** How many times the watch was taken over (after a restart or a lost lease). */
  generation: z.number().int().min(0).default(0),
});
export type CiWatchPayload = z.infer<typeof CiWatchPayload>;

/** The queue key of a thread's CI watch of one commit: it never holds up the thread's runs. */
export const ciWatchKey = (threadKey: string, sha: string) => `ci:${threadKey}:${sha}`;
