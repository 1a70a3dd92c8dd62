import type { ProviderRegistry } from "../agents/registry.js";
import type { Metrics } from "./metrics.js";

/** How long one provider's availability check may take in a probe (`claude --version`, OpenCode's health). */
export const AvailabilityProbeMs = 1_500;

/**
 * Check every registered provider and record each result on the `codethread_agent_available` gauge.
 * Called at start (so /metrics shows the gauge before any probe) and by every /readyz probe.
 * True when at least one provider is available.
 */
export async function checkAgents(registry: ProviderRegistry, metrics: Metrics): Promise<boolean> {
  const results = await Promise.all(
    registry.all().map(async (agent) => {
      const a = await agent.checkAvailability({ timeoutMs: AvailabilityProbeMs });
      metrics.agentAvailability(agent.id, a.available);
      return a.available;
    }),
  );
  return results.some(Boolean);
}
