import type { Clock } from "./clock.js";
import { classifySlackFailure } from "./slack-failure.js";

/** Slack features a workspace may or may not offer the app. */
export type Capability = "agent_sessions" | "streaming";

/**
 * Errors (and warnings) by which Slack says a feature is not there for this app in this workspace:
 * not declared an agent, not a paid plan, a scope or event subscription missing, the method not
 * offered. A feature refused this way is left alone (the run card is the whole experience).
 */
const refusals = new Set([
  "not_allowed",
  "not_allowed_token_type",
  "not_authorized",
  "missing_scope",
  "no_permission",
  "unknown_method",
  "method_deprecated",
  "feature_not_enabled",
  "feature_not_available",
  "not_enabled",
  "not_an_agent",
  "app_not_agent",
  "team_not_paid",
  "paid_only",
  "paid_teams_only",
  "restricted_action",
  "access_denied",
  "method_not_supported_for_channel_type",
  "missing_agent_session_stopped_event_subscription",
]);

/** Does this Slack error (or warning) mean the feature is not available here (rather than a passing fault)? */
export function isRefusal(errOrWarning: unknown): boolean {
  if (typeof errOrWarning === "string") return errOrWarning.split(",").some((w) => refusals.has(w));
  const f = classifySlackFailure(errOrWarning);
  return f.kind === "permanent" && refusals.has(f.error);
}

interface Known {
  available: boolean;
  /** When an unavailable feature is tried again. */
  until: number;
}

/**
 * Which of Slack's optional features each workspace offers, learnt by using them: unknown until
 * the first call, then available until a call errs (then unknown again: the next run tries
 * once more), or unavailable for `recheckMs` after Slack refused it (then tried again, once).
 * In memory, per replica: at most one refused call per feature per workspace per `recheckMs`.
 */
export class Capabilities {
  readonly #known = new Map<string, Known>();

  constructor(
    private readonly clock: Clock,
    readonly recheckMs = 3_600_000,
  ) {}

  /** Worth trying in this workspace now (available, unknown, or refused long enough ago). */
  usable(teamId: string, feature: Capability): boolean {
    const k = this.#known.get(`${teamId}:${feature}`);
    return !k || k.available || this.clock.now() >= k.until;
  }

  /** A call of the feature worked. */
  worked(teamId: string, feature: Capability): void {
    this.#known.set(`${teamId}:${feature}`, { available: true, until: Number.POSITIVE_INFINITY });
  }

  /** Slack refused the feature: not tried again in this workspace for `recheckMs`. */
  refused(teamId: string, feature: Capability): void {
    this.#known.set(`${teamId}:${feature}`, { available: false, until: this.clock.now() + this.recheckMs });
  }

  /** A call failed some other way: what the workspace offers is checked again by the next call. */
  erred(teamId: string, feature: Capability): void {
    this.#known.delete(`${teamId}:${feature}`);
  }

  /** Record a failed call by what it means; true when it was a refusal. */
  failed(teamId: string, feature: Capability, err: unknown): boolean {
    if (isRefusal(err)) {
      this.refused(teamId, feature);
      return true;
    }
    this.erred(teamId, feature);
    return false;
  }
}
