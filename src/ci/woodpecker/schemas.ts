import { z } from "zod";
import { PipelineStatuses } from "../ci-provider.js";

/** The parts of Woodpecker's (2.x/3.x) JSON codethread reads. Go's nil slices arrive as null. */

const nullableArray = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((a) => a ?? []);

export const Version = z.object({ source: z.string().optional(), version: z.string() });

export const User = z.object({ login: z.string(), admin: z.boolean().default(false) });

export const Repo = z.object({
  id: z.number(),
  forge_remote_id: z.union([z.string(), z.number()]).transform(String),
  full_name: z.string(),
  active: z.boolean().default(false),
});
export type Repo = z.infer<typeof Repo>;

const Status = z.enum(PipelineStatuses);

export const Step = z.object({
  id: z.number(),
  name: z.string(),
  state: Status,
  exit_code: z.number().default(0),
});

export const Workflow = z.object({
  name: z.string(),
  state: Status,
  children: nullableArray(Step),
});

export const Pipeline = z.object({
  number: z.number(),
  status: Status,
  branch: z.string().default(""),
  event: z.string().default(""),
  commit: z.string().default(""),
  errors: nullableArray(z.object({ message: z.string().default("") })),
  workflows: nullableArray(Workflow),
});
export type Pipeline = z.infer<typeof Pipeline>;

export const Pipelines = z.array(Pipeline);

export const Secret = z.object({ name: z.string() });

/** `data` is Go's []byte: base64 in JSON (the spec's integer array is wrong). */
export const LogEntries = nullableArray(z.object({ line: z.number().default(0), data: z.string().nullish() }));
