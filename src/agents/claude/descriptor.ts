import type { Capabilities } from "../port.js";
import type { ProviderDescriptor } from "../provider-descriptor.js";
import { ClaudeCodeProvider } from "../request.js";
import { ClaudeModelNames } from "./models.js";

/** What the Claude Code provider can do. */
export const ClaudeCodeCapabilities: Readonly<Capabilities> = {
  resume: true,
  cancel: true,
  permissionPrompts: true,
  streamingText: true,
  costReporting: true,
};

/**
 * Claude Code: the `claude` CLI, locally or in a Kubernetes pod (CODETHREAD_K8S_*). This file stays
 * light (no provider code imported at load): the registry and the CLI read every descriptor.
 */
export const claudeCodeDescriptor: ProviderDescriptor = {
  id: ClaudeCodeProvider,
  title: "Claude Code",
  aliases: ["claude", "cc"],
  workspaces: ["local", "pod"],
  models: ClaudeModelNames,
  capabilities: ClaudeCodeCapabilities,
  create: async (config, log) => {
    const m = await import("./index.js");
    return m.createClaudeCodeAgent(m.claudeOptionsFromConfig(config, log));
  },
  loadReplayer: async () => (await import("./replay.js")).replayClaudeTranscript,
  availabilityHint:
    "Install the pinned Claude Code CLI with `npm run agents:install` (or the vendor's installer) or set CLAUDE_BIN to its path; it reads its credentials (e.g. ANTHROPIC_API_KEY) from the environment.",
};
