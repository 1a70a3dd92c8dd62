import type { Logger } from "../log.js";
import type { Capabilities } from "./capabilities.js";
import type { Clock } from "./clock.js";
import { truncate } from "./format.js";
import type { AgentSessionStatus, NativeSlackApi } from "./native-api.js";
import { PerWorkspace, RateBudget } from "./rate-budget.js";
import { slackErrorOf } from "./slack-failure.js";

/** agents.sessions.setStatus is Tier 3 (~50/min per workspace): two calls per run, kept under it. */
export const AgentStatusPerMinute = 40;
export const AgentStatusBurst = 10;

export interface AgentSessionRun {
  teamId: string;
  channel: string;
  threadTs: string;
  userId: string;
  prompt: string;
  /** The session was set to `processing` by this run: it must be moved off it at the end. */
  processing?: boolean;
}

/**
 * The thread's Slack agent session (docs.slack.dev `ai/agent-sessions`): `processing` with a title
 * while a run works (Slack shows its own status and stop button), `active` when it ends. Two calls
 * per run, none per tool use. Where the workspace does not offer agent sessions (a refusal or a
 * refusing warning, see capabilities.ts), nothing is called and nothing is logged above debug: the
 * run card is the whole experience.
 */
export class AgentSessions {
  readonly #budgets = new PerWorkspace(() => new RateBudget(AgentStatusPerMinute, AgentStatusBurst, this.clock));

  constructor(
    private readonly api: NativeSlackApi,
    private readonly capabilities: Capabilities,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The run started: `processing`, titled with the request. Never throws. */
  async started(run: AgentSessionRun): Promise<void> {
    if (!this.capabilities.usable(run.teamId, "agent_sessions")) return;
    if (!this.#budgets.of(run.teamId).tryTake()) return;
    run.processing = true;
    const title = truncate(run.prompt.replace(/\s+/g, " ").trim() || "Agent run", 200);
    await this.#set(run, "processing", title);
  }

  /** The run ended (any outcome): back to `active`, so the thread takes the next reply. Never throws. */
  async ended(
    run: AgentSessionRun,
    status: Extract<AgentSessionStatus, "active" | "closed"> = "active",
  ): Promise<void> {
    if (!run.processing) return;
    run.processing = false;
    // Leaving `processing` must happen (Slack does not do it itself): into debt if need be.
    this.#budgets.of(run.teamId).force();
    await this.#set(run, status);
  }

  async #set(run: AgentSessionRun, status: AgentSessionStatus, title?: string): Promise<void> {
    try {
      const r = await this.api.setAgentStatus({
        channel: run.channel,
        threadTs: run.threadTs,
        status,
        title,
        initiatorUserId: title ? run.userId : undefined,
      });
      // E.g. `missing_agent_session_stopped_event_subscription`: the stop button would not work.
      if (r.warning && this.capabilities.failed(run.teamId, "agent_sessions", r.warning)) {
        this.log.debug({ teamId: run.teamId, warning: r.warning }, "agent sessions not fully available; not used");
      } else {
        this.capabilities.worked(run.teamId, "agent_sessions");
      }
    } catch (err) {
      const refused = this.capabilities.failed(run.teamId, "agent_sessions", err);
      if (refused && status === "processing") run.processing = false;
      this.log.debug({ teamId: run.teamId, status, slackError: slackErrorOf(err) }, "agent session status not set");
    }
  }
}
