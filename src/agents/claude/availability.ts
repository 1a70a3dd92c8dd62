import { excerpt } from "../../errors.js";
import { runToEnd } from "../../process/capture.js";
import type { ProcessSpec } from "../../process/spawn.js";
import type { Availability } from "../port.js";

/** `claude --version` prints `2.1.197 (Claude Code)`. */
const VersionLine = /^\s*(\d+\.\d+\.\d+\S*)\s*\(Claude Code\)/m;

/** Run `claude --version` (`spec`: bin, args and environment) and report the version it prints. */
export async function probeVersion(
  spec: Pick<ProcessSpec, "bin" | "args" | "env" | "inherit">,
  signal: AbortSignal,
): Promise<Availability> {
  const { exit, stdout, stderr } = await runToEnd({ ...spec, signal }, { maxBytes: 4096 });
  if (exit.error && exit.code === null && exit.signal === null) {
    return {
      available: false,
      reason: exit.error.code === "ENOENT" ? `${spec.bin} was not found` : exit.error.message,
    };
  }
  const m = VersionLine.exec(stdout);
  if (exit.code === 0 && m?.[1]) return { available: true, version: m[1], detail: stdout.trim() };
  return {
    available: false,
    reason: `${spec.bin} --version exited with ${exit.code}: ${excerpt(stderr || stdout, 200) || "no output"}`,
  };
}
