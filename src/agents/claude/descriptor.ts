import type { ProviderDescriptor } from "../provider-descriptor.js";
import { ClaudeCodeProvider } from "../request.js";
import { ClaudeCodeCapabilities } from "./agent.js";
import { createClaudeCodeAgent } from "./index.js";
import { ClaudeModelNames } from "./models.js";
import { claudeOptionsFromConfig } from "./options.js";
import { replayClaudeTranscript } from "./replay.js";

/** Claude Code: the `claude` CLI, locally or in a Kubernetes pod (CODETHREAD_K8S_*). */
export const claudeCodeDescriptor: ProviderDescriptor = {
  id: ClaudeCodeProvider,
  title: "Claude Code",
  aliases: ["claude", "cc"],
  workspaces: ["local", "pod"],
  models: ClaudeModelNames,
  capabilities: ClaudeCodeCapabilities,
  create: (config, log) => createClaudeCodeAgent(claudeOptionsFromConfig(config, log)),
  replay: replayClaudeTranscript,
  availabilityHint:
    "Install the Claude Code CLI (npm install -g @anthropic-ai/claude-code) or set CLAUDE_BIN to its path; it reads its credentials (e.g. ANTHROPIC_API_KEY) from the environment.",
};
