import { existsSync } from "node:fs";
import {
  type AgentCliId,
  agentCliPin,
  defaultVersion,
  pinnedBinPath,
  pinnedVersions,
  resolveAgentCli,
} from "../../src/agents/agent-clis.js";

/** A real-CLI test cannot run: the binary it needs is not installed. */
export class ErrTestCliMissing extends Error {
  constructor(id: AgentCliId, detail: string) {
    const pin = agentCliPin(id);
    super(
      `The real-CLI tests need ${pin.package} (${detail}). Run \`npm run agents:install\`, ` +
        `or set ${pin.envVar} to a ${pin.bin} binary.`,
    );
    this.name = "ErrTestCliMissing";
  }
}

const resolved = new Map<AgentCliId, string>();

/**
 * The binary a real-CLI test runs, through the resolver the bot uses: CLAUDE_BIN / OPENCODE_BIN
 * when set (the vitest projects of other pinned versions set them), else the pinned default in
 * .agents/. Never a binary that merely happens to be on PATH: the tests run a pinned version.
 * Throws ErrTestCliMissing (the test fails, naming the install command) when it is not there.
 */
export function agentCliForTests(id: AgentCliId): string {
  const known = resolved.get(id);
  if (known) return known;
  const pin = agentCliPin(id);
  const r = resolveAgentCli(id, process.env[pin.envVar]);
  if (r.source === "path") throw new ErrTestCliMissing(id, `${defaultVersion(id)} is not installed in .agents/`);
  if (r.bin.includes("/") && !existsSync(r.bin))
    throw new ErrTestCliMissing(id, `${pin.envVar}=${r.bin} does not exist`);
  resolved.set(id, r.bin);
  return r.bin;
}

/** The pinned version `bin` is the install of, if it is one (the version a real-CLI test runs). */
export function pinnedVersionOf(id: AgentCliId, bin: string): string | undefined {
  return pinnedVersions(id).find((v) => pinnedBinPath(id, v) === bin);
}
