import { sleep } from "../sleep.js";
import type { ProcessExit } from "./exit.js";
import { type ProcessSpec, spawnProcess } from "./spawn.js";

/** Default bound of each captured stream. */
export const DefaultCaptureBytes = 64 * 1024;

export interface CaptureOptions {
  /** Bytes kept of stdout and of stderr each (the first ones); the rest is counted, not kept. */
  maxBytes?: number;
  /** SIGKILL after this long. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (a commit message, a credential). Default: no stdin. */
  input?: string | Buffer;
}

export interface Captured {
  exit: ProcessExit;
  stdout: string;
  stderr: string;
  /** More output than `maxBytes` arrived on a stream. */
  truncated: boolean;
  timedOut: boolean;
}

/**
 * Run a short command to its end (`--version`, a `kubectl exec` stop, `git` later) and keep a
 * bounded part of what it printed. Never throws; a command that could not start says so in `exit`.
 */
export async function runToEnd(
  spec: Omit<ProcessSpec, "stdout" | "stderr">,
  options: CaptureOptions = {},
): Promise<Captured> {
  const max = options.maxBytes ?? DefaultCaptureBytes;
  const stdin = options.input === undefined ? spec.stdin : "pipe";
  const proc = spawnProcess({ ...spec, stdin, stdout: "pipe", stderr: "pipe" });
  if (options.input !== undefined) proc.stdin?.end(options.input);
  let truncated = false;
  const keep = (stream: NodeJS.ReadableStream) => {
    const parts: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      if (size >= max) {
        truncated = true;
        return;
      }
      const part = chunk.subarray(0, max - size);
      if (part.length < chunk.length) truncated = true;
      parts.push(part);
      size += part.length;
    });
    const done = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", () => resolve());
    });
    return { done, text: () => Buffer.concat(parts).toString("utf8") };
  };
  const out = keep(proc.stdout);
  const err = keep(proc.stderr);
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          proc.kill("SIGKILL");
        }, options.timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  // A grandchild may hold the pipes open after the exit: take what is there, do not wait for it.
  await Promise.race([Promise.all([out.done, err.done]), sleep(1_000)]);
  return { exit, stdout: out.text(), stderr: err.text(), truncated, timedOut };
}
