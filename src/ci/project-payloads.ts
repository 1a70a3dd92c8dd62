import { z } from "zod";

/** Where a request came from, passed through to whoever reports progress (the Slack card). */
export const RequestOrigin = z.object({
  teamId: z.string(),
  channelId: z.string(),
  /** The thread the request was made in (a mention inside a thread); absent: the channel itself. */
  threadTs: z.string().optional(),
  userId: z.string().optional(),
  /** The card the handler posted for this job (absent: whoever reports posts one). */
  cardTs: z.string().optional(),
});
export type RequestOrigin = z.infer<typeof RequestOrigin>;

/** Payload of a `provision` job. */
export const ProvisionPayload = z.object({
  name: z.string().min(1),
  template: z.string().min(1),
  description: z.string().default(""),
  private: z.boolean().default(false),
  org: z.string().optional(),
  actor: z.string().min(1),
  origin: RequestOrigin.optional(),
});
export type ProvisionPayload = z.infer<typeof ProvisionPayload>;

/** Payload of a `build` job. */
export const BuildPayload = z.object({
  project: z.string().min(1),
  branch: z.string().optional(),
  actor: z.string().min(1),
  origin: RequestOrigin.optional(),
});
export type BuildPayload = z.infer<typeof BuildPayload>;

/** The queue's serialization key of a project: never two provisions or builds of one project at once. */
export const projectJobKey = (name: string) => `project:${name.toLowerCase()}`;
