import type { Config } from "../config.js";
import type { PermissionPolicy } from "./request.js";

/**
 * The one mapping from CODETHREAD_PERMISSION_POLICY (+ CODETHREAD_ALLOWED_TOOLS and
 * CODETHREAD_PERMISSION_TIMEOUT) to the policy a run carries. The worker puts it on every
 * request and each provider uses it for requests that carry none (`codethread run`), so a
 * setting means the same tool set everywhere:
 *
 * - `allow-tools`: only the listed tools run; everything else is denied.
 * - `ask`: the listed tools run without asking; every other tool asks a person, and an
 *   unanswered request is denied after the permission timeout.
 * - `bypass`: everything runs (the configuration requires CODETHREAD_SANDBOX=1).
 * - `default`: the agent's own defaults.
 */
export function permissionPolicyFromConfig(
  runs: Pick<Config["runs"], "permissionPolicy" | "allowedTools" | "permissionTimeoutMs">,
): PermissionPolicy {
  switch (runs.permissionPolicy) {
    case "allow-tools":
      return { mode: "allow-tools", tools: [...runs.allowedTools] };
    case "ask":
      return { mode: "ask", timeoutMs: runs.permissionTimeoutMs, allowTools: [...runs.allowedTools] };
    case "bypass":
      return { mode: "bypass" };
    case "default":
      return { mode: "default" };
  }
}
