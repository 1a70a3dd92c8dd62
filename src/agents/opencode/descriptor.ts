import type { ProviderDescriptor } from "../provider-descriptor.js";
import { OpenCodeProvider } from "../request.js";
import { createOpenCodeAgent, OpenCodeCapabilities } from "./agent.js";
import { OpenCodeModelNames } from "./models.js";
import { opencodeOptionsFromConfig } from "./options.js";
import { replayOpenCodeSse } from "./replay.js";

/** OpenCode: `opencode serve` over HTTP + SSE (embedded, or OPENCODE_URL). Local workspaces only. */
export const openCodeDescriptor: ProviderDescriptor = {
  id: OpenCodeProvider,
  title: "OpenCode",
  aliases: ["oc"],
  workspaces: ["local"],
  models: OpenCodeModelNames,
  capabilities: OpenCodeCapabilities,
  create: (config, log) => createOpenCodeAgent(opencodeOptionsFromConfig(config, log)),
  replay: replayOpenCodeSse,
  availabilityHint:
    "Install OpenCode (npm install -g opencode-ai) or set OPENCODE_BIN to its path, or point OPENCODE_URL at a running `opencode serve`.",
};
