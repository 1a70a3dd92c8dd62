import type { Capabilities } from "../port.js";
import type { ProviderDescriptor } from "../provider-descriptor.js";
import { OpenCodeProvider } from "../request.js";
import { OpenCodeModelNames } from "./models.js";

/** What the OpenCode provider can do. */
export const OpenCodeCapabilities: Readonly<Capabilities> = {
  resume: true,
  cancel: true,
  permissionPrompts: true,
  streamingText: true,
  costReporting: true,
};

/**
 * OpenCode: `opencode serve` over HTTP + SSE (embedded, or OPENCODE_URL). Local workspaces only.
 * Light like every descriptor: the provider's code is imported by `create` and `loadReplayer`.
 */
export const openCodeDescriptor: ProviderDescriptor = {
  id: OpenCodeProvider,
  title: "OpenCode",
  aliases: ["oc"],
  workspaces: ["local"],
  models: OpenCodeModelNames,
  capabilities: OpenCodeCapabilities,
  create: async (config, log) => {
    const [m, { silentLogger }] = await Promise.all([import("./index.js"), import("../../log.js")]);
    return m.createOpenCodeAgent(m.opencodeOptionsFromConfig(config, log ?? silentLogger));
  },
  loadReplayer: async () => (await import("./replay.js")).replayOpenCodeSse,
  availabilityHint:
    "Install the pinned OpenCode with `npm run agents:install` (or `npm install -g opencode-ai`) or set OPENCODE_BIN to its path, or point OPENCODE_URL at a running `opencode serve`.",
};
