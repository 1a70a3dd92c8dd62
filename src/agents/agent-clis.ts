import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CodethreadError } from "../errors.js";
import { PackageRoot } from "../package-root.js";

/**
 * Where the agent CLIs are. They are tools the bot runs (like kubectl), pinned in
 * agent-clis.json and installed by `npm run agents:install` into `.agents/<id>@<version>/`.
 * One resolver for the configuration defaults, `codethread doctor` and the tests:
 *
 *   1. CLAUDE_BIN / OPENCODE_BIN when set (any path, or a name looked up on PATH);
 *   2. else the pinned default version, when it is installed;
 *   3. else the plain name (`claude`, `opencode`) on PATH — e.g. the vendor's own install.
 */

const PinsSchema = z.object({
  installDir: z.string().min(1),
  clis: z.record(
    z.string(),
    z.object({
      package: z.string().min(1),
      bin: z.string().min(1),
      envVar: z.string().min(1),
      versions: z.array(z.string().min(1)).min(1),
      vendorInstall: z.string().min(1),
    }),
  ),
});
export type AgentCliPin = z.infer<typeof PinsSchema>["clis"][string];
export type AgentCliId = "claude-code" | "opencode";

const MarkerFile = ".installed.json";

/** agent-clis.json is missing or malformed: the checkout itself is broken. */
export class ErrAgentPinsInvalid extends CodethreadError {
  constructor(file: string, detail: string) {
    super("agent_pins_invalid", `${file} is missing or invalid: ${detail}`, { file });
  }
}

type Pins = z.infer<typeof PinsSchema>;
const loaded = new Map<string, Pins>();
function loadPins(root: string): Pins {
  const cached = loaded.get(root);
  if (cached) return cached;
  const file = path.join(root, "agent-clis.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ErrAgentPinsInvalid(file, err instanceof Error ? err.message : String(err));
  }
  const parsed = PinsSchema.safeParse(raw);
  if (!parsed.success) throw new ErrAgentPinsInvalid(file, parsed.error.issues.map((i) => i.message).join("; "));
  loaded.set(root, parsed.data);
  return parsed.data;
}

export function agentCliPin(id: AgentCliId, root = PackageRoot): AgentCliPin {
  const pin = loadPins(root).clis[id];
  if (!pin) throw new ErrAgentPinsInvalid(path.join(root, "agent-clis.json"), `no entry for ${id}`);
  return pin;
}

/** The version the bot uses by default (the first pinned), then the older ones still supported. */
export const pinnedVersions = (id: AgentCliId, root = PackageRoot): readonly string[] => agentCliPin(id, root).versions;
export const defaultVersion = (id: AgentCliId, root = PackageRoot): string => agentCliPin(id, root).versions[0]!;

/** Where `npm run agents:install` puts that version's binary (whether or not it is there). */
export function pinnedBinPath(id: AgentCliId, version = defaultVersion(id), root = PackageRoot): string {
  const pin = agentCliPin(id, root);
  return path.join(root, loadPins(root).installDir, `${id}@${version}`, "node_modules", ".bin", pin.bin);
}

/** True once the installer finished that version (it writes its marker last). */
export function isPinnedInstalled(id: AgentCliId, version = defaultVersion(id), root = PackageRoot): boolean {
  const bin = pinnedBinPath(id, version, root);
  return existsSync(bin) && existsSync(path.join(bin, "..", "..", "..", MarkerFile));
}

export interface ResolvedAgentCli {
  id: AgentCliId;
  /** What to spawn: a path, or a bare name looked up on PATH. */
  bin: string;
  /** configured: CLAUDE_BIN / OPENCODE_BIN; pinned: .agents/; path: the plain name on PATH. */
  source: "configured" | "pinned" | "path";
  /** The pinned version (source "pinned" only). */
  version?: string;
}

/** The binary to run for `id`: `configured` (the env variable's value) when set, else pinned, else PATH. */
export function resolveAgentCli(id: AgentCliId, configured?: string, root = PackageRoot): ResolvedAgentCli {
  if (configured) return { id, bin: configured, source: "configured" };
  const version = defaultVersion(id, root);
  if (isPinnedInstalled(id, version, root))
    return { id, bin: pinnedBinPath(id, version, root), source: "pinned", version };
  return { id, bin: agentCliPin(id, root).bin, source: "path" };
}

/** One sentence on how to get a missing CLI. */
export function installHint(id: AgentCliId): string {
  const pin = agentCliPin(id);
  return (
    `Install the pinned ${pin.package} ${defaultVersion(id)} with \`npm run agents:install\` (into .agents/), ` +
    `or the vendor's way (${pin.vendorInstall}) so \`${pin.bin}\` is on PATH, or set ${pin.envVar} to the binary.`
  );
}
