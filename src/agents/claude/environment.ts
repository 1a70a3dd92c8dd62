import type { InheritPolicy } from "../../process/env.js";

/**
 * What the `claude` CLI may inherit from the bot's environment (on top of the base list of
 * src/process/env.ts): its credentials and the settings it documents. Anything else an operator
 * needs (Bedrock or Vertex credentials, say) goes in CODETHREAD_AGENT_ENV.
 */
export const ClaudeInherit: InheritPolicy = {
  names: [
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "API_TIMEOUT_MS",
    "BASH_DEFAULT_TIMEOUT_MS",
    "BASH_MAX_TIMEOUT_MS",
    "BASH_MAX_OUTPUT_LENGTH",
    "MAX_THINKING_TOKENS",
    "MCP_TIMEOUT",
    "MCP_TOOL_TIMEOUT",
    "DISABLE_TELEMETRY",
    "DISABLE_ERROR_REPORTING",
    "DISABLE_AUTOUPDATER",
    "DISABLE_PROMPT_CACHING",
    "USE_BUILTIN_RIPGREP",
    "AWS_REGION",
    "AWS_PROFILE",
    "CLOUD_ML_REGION",
  ],
  prefixes: ["ANTHROPIC_", "CLAUDE_CODE_"],
};

/** `kubectl` (the pod runner) needs its kubeconfig; HOME (~/.kube) is in the base list. */
export const KubectlInherit: InheritPolicy = { names: ["KUBECONFIG"] };
