import { z } from "zod";

/** The parts of Gitea's / Forgejo's JSON codethread reads (both send many more fields). */

export const ServerVersion = z.object({ version: z.string() });

export const User = z.object({
  id: z.number(),
  login: z.string(),
  is_admin: z.boolean().optional(),
});

export const Repository = z.object({
  id: z.number(),
  owner: z.object({ login: z.string() }),
  name: z.string(),
  full_name: z.string(),
  description: z.string().default(""),
  private: z.boolean().default(false),
  empty: z.boolean().default(false),
  template: z.boolean().default(false),
  default_branch: z.string().default("main"),
  html_url: z.string(),
  clone_url: z.string(),
  // Go's nil slices arrive as null.
  topics: z
    .array(z.string())
    .nullish()
    .transform((t) => t ?? []),
  permissions: z.object({ admin: z.boolean().optional() }).nullish(),
});
export type Repository = z.infer<typeof Repository>;

export const FilesResponse = z.object({
  commit: z.object({ sha: z.string() }).nullish(),
});

/** Gitea's error body: `{"message","url"}` (generate's unknown owner uses `error`). */
export const ErrorBody = z.object({ message: z.string().optional(), error: z.string().optional() });

export const PullRequest = z.object({
  number: z.number(),
  html_url: z.string(),
  state: z.enum(["open", "closed"]),
  merged: z.boolean().nullish(),
  head: z.object({ ref: z.string(), sha: z.string() }),
  base: z.object({ ref: z.string() }),
});
export type PullRequest = z.infer<typeof PullRequest>;

const StatusState = z.enum(["pending", "success", "error", "failure", "warning", "skipped"]);

export const CombinedStatus = z.object({
  state: StatusState.or(z.literal("")).transform((s) => s || "pending"),
  sha: z.string(),
  statuses: z
    .array(
      z.object({
        context: z.string().default(""),
        status: StatusState,
        description: z.string().nullish(),
        target_url: z.string().nullish(),
      }),
    )
    .nullish()
    .transform((s) => s ?? []),
});
