import { spawn } from "node:child_process";
import { excerpt } from "../../errors.js";
import type { Availability } from "../port.js";

/** `claude --version` prints `2.1.197 (Claude Code)`. */
const VersionLine = /^\s*(\d+\.\d+\.\d+\S*)\s*\(Claude Code\)/m;

/** Run `argv` (`claude --version`, possibly through kubectl) and report the version it prints. */
export function probeVersion(
  bin: string,
  args: string[],
  signal: AbortSignal,
  env?: NodeJS.ProcessEnv,
): Promise<Availability> {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], signal, env, shell: false });
    child.stdout.on("data", (c: Buffer) => {
      if (out.length < 4096) out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      if (err.length < 4096) err += c.toString("utf8");
    });
    child.once("error", (e: NodeJS.ErrnoException) =>
      resolve({
        available: false,
        reason: e.code === "ENOENT" ? `${bin} was not found` : e.message,
      }),
    );
    child.once("close", (code) => {
      const m = VersionLine.exec(out);
      if (code === 0 && m?.[1]) resolve({ available: true, version: m[1], detail: out.trim() });
      else
        resolve({
          available: false,
          reason: `${bin} --version exited with ${code}: ${excerpt(err || out, 200) || "no output"}`,
        });
    });
  });
}
