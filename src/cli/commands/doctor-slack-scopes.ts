import type { Check } from "./doctor-forge.js";

/** Bot scopes a feature needs, and what a person misses without each (manifest.yml says the same). */
const FeatureScopes: { scope: string; without: string; status: Check["status"] }[] = [
  {
    scope: "files:read",
    without:
      "screenshots, logs and other files shared with a request will NOT reach the agent (every download is refused)",
    status: "fail",
  },
  { scope: "users:read", without: "mentions in prompts read `@U123` instead of names", status: "warn" },
  { scope: "files:write", without: "long answers and diffs cannot be attached as files", status: "warn" },
];

/**
 * Checks of the bot token's scopes (as Slack names them on auth.test's answer): a missing
 * `files:read` is loud — attachments silently stop working without it — the others are warnings.
 * No check when Slack did not name the scopes.
 */
export function slackScopeChecks(scopes: string[] | undefined): Check[] {
  if (!scopes?.length) return [];
  const have = new Set(scopes);
  const missing = FeatureScopes.filter((f) => !have.has(f.scope));
  if (!missing.length) {
    return [{ name: "slack scopes", status: "ok", detail: FeatureScopes.map((f) => f.scope).join(", ") }];
  }
  return missing.map((f) => ({
    name: `slack scope ${f.scope}`,
    status: f.status,
    detail: `The bot token lacks ${f.scope}: ${f.without}. Add it under OAuth & Permissions → Bot Token Scopes (manifest.yml lists it) and reinstall the app.`,
  }));
}
