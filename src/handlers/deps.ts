import type { ProviderRegistry } from "../agents/registry.js";
import type { ProjectService } from "../ci/project-service.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { AckFirst } from "../slack/ack-first.js";
import type { NativeSlackApi } from "../slack/native-api.js";
import type { SlackApi } from "../slack/slack-api.js";
import type { UserNames } from "../slack/user-names.js";
import type { Database } from "../store/database.js";
import type { JobQueue } from "../store/queue/types.js";
import type { RunInfo } from "../worker/publisher.js";

/**
 * The projects the commands (`project new|list|use`, `build`) and runs (`project=NAME`, a bound
 * channel) use: ProjectService in the app.
 */
export type ProjectDirectory = Pick<
  ProjectService,
  | "names"
  | "projectForChannel"
  | "templates"
  | "checkNewProject"
  | "newProject"
  | "list"
  | "use"
  | "checkBuild"
  | "build"
>;

/** Everything the Slack listeners need; built once in the composition root. */
export interface HandlerDeps {
  db: Database;
  queue: JobQueue;
  registry: ProviderRegistry;
  access: Config["access"];
  /** Reliable Slack client (cards, ephemeral errors, button-message edits). */
  slack: SlackApi;
  log: Logger;
  /** Names for `<@U123>` mentions in prompts (cached users.info). Absent: mentions read `@U123`. */
  users?: UserNames;
  /** Absent: projects are not set up, and `project=NAME` is refused. */
  projects?: ProjectDirectory;
  /** Queued job cancelled before it started: show it on its card. */
  cancelledBeforeStart?: (run: Omit<RunInfo, "startedAt" | "provider">, by: string) => Promise<void>;
  /** Longest thread history handed to the agent as context, in characters. */
  maxContextChars?: number;
  /** Slack's message files (mentions carry none in their event); absent: shared files are not looked up. */
  native?: Pick<NativeSlackApi, "messageFiles" | "setAgentStatus">;
  /** CODETHREAD_MAX_ATTACHMENT_MB in bytes: larger shared files are skipped and the thread told. */
  maxAttachmentBytes?: number;
  /** CODETHREAD_USER_DAILY_BUDGET_USD: a person whose runs cost this much in 24 hours gets no new run. */
  userDailyBudgetUsd?: number;
  /** Work after an ack waits for the other requests' acks (src/slack/ack-first.ts). Absent: no wait. */
  ackFirst?: Pick<AckFirst, "settled">;
}
