import type { Config } from "../../config.js";
import type { Logger } from "../../log.js";
import { permissionPolicyFromConfig } from "../permission-policy.js";
import { DefaultPermissionTimeoutMs } from "../port.js";
import type { PermissionPolicy } from "../request.js";

export interface ClaudeCodeOptions {
  /** The `claude` binary on this machine. */
  bin: string;
  /** The `claude` binary inside pods (default `claude`). */
  podBin?: string;
  model?: string;
  maxTurns?: number;
  /** Local root under which each workspace gets its own CLAUDE_CONFIG_DIR. */
  configRoot: string;
  /** The same root inside pods (default `/tmp/codethread-claude`). */
  podConfigRoot?: string;
  kubectlBin: string;
  /** Policy for requests that carry none. */
  defaultPermissions: PermissionPolicy;
  /** How long a permission request waits for an answer before it is denied. */
  permissionTimeoutMs?: number;
  /** The operator declared the workspaces sandboxes; required for the `bypass` policy. */
  sandbox: boolean;
  /** Extra environment for the CLI (or for kubectl): API base URL, HOME, … Set as given. */
  env?: Record<string, string>;
  /** Names of the bot's variables the CLI may inherit beyond its own (CODETHREAD_AGENT_ENV). */
  agentEnv?: string[];
  /** Where running CLIs are recorded so a restarted bot stops leftovers (the data dir's `processes/`). */
  processDir?: string;
  /** How long to wait after SIGINT, then after SIGTERM, before escalating (default 5 s). */
  stopGraceMs?: number;
  /** Bound on one stdout line (default 16 MiB). */
  maxLineBytes?: number;
  log?: Logger;
}

/** The options `codethread` uses, from its validated configuration. */
export function claudeOptionsFromConfig(config: Config, log?: Logger): ClaudeCodeOptions {
  const r = config.runs;
  const defaultPermissions = permissionPolicyFromConfig(r);
  return {
    bin: config.claude.bin,
    model: config.claude.model,
    maxTurns: config.claude.maxTurns,
    configRoot: config.claude.configRoot,
    kubectlBin: config.claude.kubectlBin,
    defaultPermissions,
    permissionTimeoutMs: r.permissionTimeoutMs ?? DefaultPermissionTimeoutMs,
    sandbox: r.sandbox,
    agentEnv: r.agentEnv,
    processDir: r.processDir,
    log,
  };
}
