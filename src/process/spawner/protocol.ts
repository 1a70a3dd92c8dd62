import { z } from "zod";

/**
 * The messages between the bot and its spawn helper (helper.ts), over the helper's IPC channel
 * (`serialization: "advanced"`, so output travels as bytes, not as JSON text). Every process is
 * named by an id the bot chose; the helper never decides anything itself.
 */

/** Start `bin` with `args`: the environment is the bot's `childEnv` result, applied as given. */
export interface SpawnRequest {
  t: "spawn";
  id: number;
  bin: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  stdin: "pipe" | "ignore";
  stdout: "pipe" | "ignore";
  stderr: "pipe" | "ignore";
  detached: boolean;
  niceness?: number;
  /** Start a parent-death watchdog for the process (src/process/watchdog.ts). */
  dieWithParent: boolean;
}

export type HelperRequest =
  | SpawnRequest
  /** Bytes for the process's stdin; acknowledged by `written` with the same `seq`. */
  | { t: "stdin"; id: number; seq: number; data: Uint8Array }
  | { t: "stdin-end"; id: number }
  | { t: "kill"; id: number; signal: NodeJS.Signals }
  /** Process groups led inside the tree, for its watchdog. */
  | { t: "track"; id: number; pgids: number[] }
  /** Flow control: the bot's stream is full (pause) or drained (resume). */
  | { t: "pause" | "resume"; id: number; fd: 1 | 2 };

const fd = z.union([z.literal(1), z.literal(2)]);
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "bytes");

/** What the helper reports, checked on arrival in the bot. */
export const HelperReply = z.discriminatedUnion("t", [
  z.object({ t: z.literal("spawned"), id: z.number(), pid: z.number() }),
  z.object({ t: z.literal("data"), id: z.number(), fd, data: bytes }),
  z.object({ t: z.literal("end"), id: z.number(), fd }),
  z.object({ t: z.literal("written"), id: z.number(), seq: z.number(), error: z.string().optional() }),
  z.object({
    t: z.literal("exit"),
    id: z.number(),
    code: z.number().nullable(),
    signal: z.string().nullable(),
    error: z.object({ code: z.string().optional(), message: z.string() }).optional(),
  }),
]);
export type HelperReply = z.infer<typeof HelperReply>;
