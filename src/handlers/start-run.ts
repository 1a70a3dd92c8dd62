import { AgentRequest } from "../agents/request.js";
import { CodethreadError, excerpt, messageOf } from "../errors.js";
import { newCardState } from "../slack/card-state.js";
import { ErrSlackApi } from "../slack/errors.js";
import { readSlackText } from "../slack/incoming-text.js";
import { renderRunCard } from "../slack/run-card.js";
import { recordAudit } from "../store/audit.js";
import { getChannelSettings } from "../store/channel-settings.js";
import { isDatabaseUnreachable } from "../store/retry.js";
import { threadKey } from "../store/thread-key.js";
import { getThreadSession } from "../store/thread-sessions.js";
import type { AgentRunPayload } from "../worker/agent-run-payload.js";
import type { HandlerDeps } from "./deps.js";
import { cannotPostText } from "./post-refusal.js";
import { checkDailyBudget, checkModel } from "./run-limits.js";

export interface StartRunInput {
  teamId: string;
  channelId: string;
  userId: string;
  /** The request as Slack sent it (escaped, with mentions); decoded here, once, before anything sees it. */
  slackPrompt: string;
  agent?: string;
  /** `model=NAME`, checked against what the run's provider accepts. */
  model?: string;
  project?: string;
  source: AgentRunPayload["source"];
  responseUrl?: string;
  context?: string;
  /** Thread to post the card in; absent: the card is a new root message and its thread is the session. */
  threadTs?: string;
  dedupeKey: string;
  /** Files shared with the request that pass the limits (fetched by the worker). */
  files?: AgentRunPayload["files"];
  /** ts of the message carrying the request. */
  messageTs?: string;
}

export type StartRunResult =
  | { ok: true; jobId: string; threadTs: string; cardTs: string; queuedBehind: number }
  /** `message` is for the user (ephemeral); nothing was posted or queued. */
  | { ok: false; code: string; message: string };

/** How much of a prompt its `run.queue` audit record keeps (who asked what, not the whole text). */
export const AuditPromptChars = 300;

/** What to tell the person whose request could not be taken (nothing was posted or queued for it). */
export function notTakenMessage(err: unknown): string {
  return isDatabaseUnreachable(err)
    ? "I could not take this request: my database did not answer, so nothing was started. Please send it again in a minute."
    : "Something went wrong, so this request was not started. Please try again.";
}

function fail(code: string, message: string): StartRunResult {
  return { ok: false, code, message };
}

type RunRequest = Omit<StartRunInput, "slackPrompt"> & { prompt: string };

/**
 * Check a run request against the registry, the thread's session and the project list, and
 * settle its project (the stored spelling; a thread's own project; else the channel's binding).
 */
async function validate(deps: HandlerDeps, input: RunRequest): Promise<StartRunResult | undefined> {
  const known = deps.registry.ids();
  try {
    AgentRequest.validatePrompt(input.prompt);
  } catch (err) {
    if (err instanceof CodethreadError) return fail(err.code, err.message);
    throw err;
  }
  // Aliases (`cc`, `oc`, …) resolve to the provider's id through the registry: one table, in the descriptors.
  const agent = input.agent === undefined ? undefined : deps.registry.resolve(input.agent);
  if (input.agent && !agent) {
    return fail(
      "unknown_provider",
      `Unknown agent \`${input.agent}\`. Available: ${known.map((k) => `\`${k}\``).join(", ") || "none"}.`,
    );
  }
  const session = input.threadTs
    ? await getThreadSession(
        deps.db,
        threadKey({ teamId: input.teamId, channelId: input.channelId, threadTs: input.threadTs }),
      )
    : undefined;
  if (session && input.agent && session.provider !== agent) {
    return fail(
      "provider_fixed",
      `This thread talks to \`${session.provider}\`; start a new thread to use \`${input.agent}\`.`,
    );
  }
  if (input.model) {
    const refused = checkModel(deps, agent ?? session?.provider ?? known[0] ?? "", input.model);
    if (refused) return fail(refused.code, refused.message);
  }
  if (input.project && !deps.projects) {
    return fail(
      "projects_not_set_up",
      `\`project=${input.project}\` cannot be used yet: projects are not set up, so no workspace is bound to that name. Leave \`project=\` out to run in the default workspace.`,
    );
  }
  if (input.project && deps.projects) {
    const names = await deps.projects.names();
    const known = names.find((n) => n.toLowerCase() === input.project!.toLowerCase());
    if (!known) {
      return fail(
        "unknown_project",
        `Unknown project \`${input.project}\`. Known projects: ${names.map((n) => `\`${n}\``).join(", ") || "none yet (an admin creates one with `/agent project new NAME`)"}.`,
      );
    }
    input.project = known;
  }
  if (session) {
    // A thread keeps the directory it started in: its agent session belongs to it.
    if (input.project && (session.project ?? undefined) !== input.project) {
      return fail(
        "project_fixed",
        `This thread works ${session.project ? `on project \`${session.project}\`` : "in the default workspace"}; start a new thread to work on \`${input.project}\`.`,
      );
    }
    input.project = session.project ?? undefined;
  } else if (!input.project && deps.projects) {
    // A channel bound with `/agent project use` works on its project.
    input.project = (await deps.projects.projectForChannel({ teamId: input.teamId, channelId: input.channelId }))?.name;
  }
  const overBudget = await checkDailyBudget(deps, input.userId);
  if (overBudget) return fail(overBudget.code, overBudget.message);
  return undefined;
}

/**
 * Post the run card (a new root message, or a reply in the thread), then queue the run. Called
 * after the Slack request was acknowledged. A run queued behind a running one says so on its card.
 */
export async function startRun(deps: HandlerDeps, slack: StartRunInput): Promise<StartRunResult> {
  const { slackPrompt, ...rest } = slack;
  const input: RunRequest = { ...rest, prompt: await readSlackText(slackPrompt, deps.users) };
  const invalid = await validate(deps, input);
  if (invalid) return invalid;

  let queuedBehind = 0;
  if (input.threadTs) {
    const key = threadKey({ teamId: input.teamId, channelId: input.channelId, threadTs: input.threadTs });
    queuedBehind = (await deps.queue.listActive({ threadKey: key })).length;
  }
  const { verbosity } = await getChannelSettings(deps.db, { teamId: input.teamId, channelId: input.channelId });
  const state = newCardState({
    threadTs: input.threadTs ?? "",
    userId: input.userId,
    prompt: input.prompt,
    provider: input.agent ?? deps.registry.ids()[0],
    model: input.model,
    project: input.project,
    quiet: verbosity === "quiet",
  });
  if (queuedBehind) state.note = "Another run in this thread is still going; this one starts when it finishes.";

  let cardTs: string;
  try {
    const posted = await deps.slack.postMessage({
      channel: input.channelId,
      threadTs: input.threadTs,
      ...renderRunCard(state, Date.now()),
    });
    cardTs = posted.ts;
  } catch (err) {
    const reason = err instanceof ErrSlackApi ? err.slackError : "unknown";
    deps.log.warn({ err, channel: input.channelId, slackError: reason }, "could not post the run card");
    return fail(`slack_${reason}`, cannotPostText(reason, "a run"));
  }
  const threadTs = input.threadTs ?? cardTs;
  const key = threadKey({ teamId: input.teamId, channelId: input.channelId, threadTs });
  const payload: AgentRunPayload = {
    teamId: input.teamId,
    channelId: input.channelId,
    threadTs,
    userId: input.userId,
    prompt: input.prompt,
    provider: input.agent,
    model: input.model,
    verbosity,
    project: input.project,
    cardTs,
    context: input.context,
    source: input.source,
    responseUrl: input.responseUrl,
    ...(input.files?.length ? { files: input.files, messageTs: input.messageTs } : {}),
  };
  let queued: Awaited<ReturnType<HandlerDeps["queue"]["enqueue"]>>;
  try {
    // Safe to repeat: the dedupe key makes a second enqueue return the first job.
    queued = await deps.queue.enqueue({ kind: "agent_run", threadKey: key, payload, dedupeKey: input.dedupeKey });
  } catch (err) {
    deps.log.error({ err, threadKey: key }, "could not queue the run");
    state.status = "failed";
    state.threadTs = threadTs;
    state.note = `Could not queue the run: ${messageOf(err)}`;
    await deps.slack
      .update({ channel: input.channelId, ts: cardTs, ...renderRunCard(state, Date.now()) })
      .catch(() => undefined);
    if (isDatabaseUnreachable(err))
      return fail(
        "enqueue_failed",
        "The run could not be queued (the database did not answer). Try again in a minute.",
      );
    return fail(
      "enqueue_refused",
      `The run could not be queued: the database refused it (${excerpt(messageOf(err), 120)}). Trying again will not help; please tell an admin.`,
    );
  }
  const { job, created, ahead } = queued;
  if (!created) deps.log.warn({ jobId: job.id, dedupeKey: input.dedupeKey }, "run was already queued");
  // The run is queued and will run: a lost audit record must not make its card say otherwise.
  await recordAudit(deps.db, {
    actor: input.userId,
    action: "run.queue",
    threadKey: key,
    detail: {
      jobId: job.id,
      requester: input.userId,
      channel: input.channelId,
      source: input.source,
      provider: input.agent,
      model: input.model,
      project: input.project,
      prompt: excerpt(input.prompt, AuditPromptChars),
      ...(input.files?.length ? { files: input.files.map((f) => f.name) } : {}),
    },
  }).catch((err: unknown) => deps.log.error({ err, jobId: job.id }, "could not record the run.queue audit entry"));
  return { ok: true, jobId: job.id, threadTs, cardTs, queuedBehind: ahead };
}
