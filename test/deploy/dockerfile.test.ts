import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** The Dockerfile's instructions, stage by stage (continuation lines joined, comments dropped). */
interface Stage {
  name: string;
  from: string;
  lines: { op: string; args: string }[];
}

function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, " ").split("\n");
  const stages: Stage[] = [];
  for (const raw of joined) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!;
    if (op === "FROM") {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ from: f[1]!, name: f[2] ?? String(stages.length), lines: [] });
    } else stages.at(-1)?.lines.push({ op, args });
  }
  return stages;
}

const stages = parseDockerfile(readFileSync("Dockerfile", "utf8"));
const runtime = stages.at(-1)!;
const ops = (s: Stage, op: string) => s.lines.filter((l) => l.op === op).map((l) => l.args);

describe("Dockerfile", () => {
  it("runs as a non-root user in the runtime stage", () => {
    const users = ops(runtime, "USER");
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it("ships no dev dependencies: node_modules come from an `npm ci --omit=dev` stage", () => {
    const copies = ops(runtime, "COPY").filter((c) => c.includes("node_modules"));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0]!)?.[1];
    const source = stages.find((s) => s.name === from);
    expect(source, `stage ${from}`).toBeDefined();
    expect(ops(source!, "RUN").join("\n")).toMatch(/npm ci\b.*--omit=dev/);
    expect(ops(runtime, "RUN").join("\n")).not.toMatch(/npm (ci|install)\b/);
  });

  it("runs the compiled build, not TypeScript, and has a health check", () => {
    expect(ops(runtime, "COPY").some((c) => /--from=\S+\s+\/app\/dist\b/.test(c))).toBe(true);
    expect(JSON.stringify(runtime.lines)).not.toMatch(/\btsx\b/);
    expect(ops(runtime, "HEALTHCHECK").join(" ")).toContain("/healthz");
    expect(ops(runtime, "ENTRYPOINT").join(" ")).toContain("bin/codethread.js");
  });

  it("adds the agent CLIs only through a build argument and the install script", () => {
    const agents = stages.find((s) => ops(s, "ARG").some((a) => a.startsWith("AGENTS=")))!;
    expect(ops(agents, "ARG")).toContain('AGENTS=""');
    expect(ops(agents, "RUN").join(" ")).toContain("scripts/install-agents.mjs");
    expect(existsSync("scripts/install-agents.mjs")).toBe(true);
  });

  it("keeps secrets and local state out of the build context", () => {
    const ignored = readFileSync(".dockerignore", "utf8")
      .split("\n")
      .map((l) => l.trim());
    for (const p of [".env", ".git", "node_modules", ".codethread"]) expect(ignored).toContain(p);
  });
});
