import { skippedText } from "../slack/attachments.js";
import { fetchThreadContext } from "../slack/thread-context.js";
import { threadKey } from "../store/thread-key.js";
import { getThreadSession } from "../store/thread-sessions.js";
import { isAdmin, isDirectMessage } from "./authorize.js";
import type { CommandRouter } from "./commands/index.js";
import { Claims, eventKey, messageKey } from "./dedupe.js";
import type { HandlerDeps } from "./deps.js";
import { stripMention } from "./mention.js";
import type { MessageEvent } from "./schemas.js";
import { sharedFiles } from "./shared-files.js";
import { notTakenMessage, startRun } from "./start-run.js";

export interface Delivery {
  event: MessageEvent;
  teamId: string;
  apiAppId?: string;
  eventId?: string;
  botUserId?: string;
  /** Our bot id (`B…`): posts carrying it are ours too, whatever their user. */
  botId?: string;
}

/** Message subtypes that are a person writing (everything else — edits, deletes, joins, bots — is ignored). */
const humanSubtypes = new Set([undefined, "file_share", "thread_broadcast"]);

/** Threads the bot runs: a session exists, or a run for it is queued. */
async function isOurThread(deps: HandlerDeps, key: string): Promise<boolean> {
  if (await getThreadSession(deps.db, key)) return true;
  return (await deps.queue.listActive({ threadKey: key, limit: 1 })).length > 0;
}

async function tell(deps: HandlerDeps, e: MessageEvent, text: string): Promise<void> {
  if (!e.user) return;
  await deps.slack
    .postEphemeral({
      channel: e.channel,
      user: e.user,
      text,
      threadTs: e.thread_ts ?? (isDirectMessage(e.channel) ? undefined : e.ts),
    })
    .catch((err: unknown) => deps.log.warn({ err }, "could not send an ephemeral message"));
}

/**
 * One handler for `app_mention` and `message` events. Dedupe by event id first, then decide
 * whether the message is ours (a mention, a DM, or a reply in one of our threads), then dedupe
 * by channel + ts — so the same mention arriving as both events starts one run.
 */
export async function handleIncomingMessage(deps: HandlerDeps, router: CommandRouter, d: Delivery): Promise<void> {
  const e = d.event;
  if (!humanSubtypes.has(e.subtype) || e.hidden || e.bot_id || !e.user || e.user === d.botUserId) return;
  const mentioned = e.type === "app_mention" || (d.botUserId !== undefined && e.text.includes(`<@${d.botUserId}`));
  const dm = e.channel_type === "im" || (e.type === "message" && isDirectMessage(e.channel));
  const isReply = e.thread_ts !== undefined && e.thread_ts !== e.ts;
  // Channel chatter outside threads never touches the database.
  if (!mentioned && !dm && !isReply) return;
  await deps.ackFirst?.settled(); // Bolt acknowledged the event before this listener ran
  const claims = new Claims(deps.db);
  let ourThread = false;
  try {
    if (d.eventId && !(await claims.claim(eventKey({ apiAppId: d.apiAppId, teamId: d.teamId, eventId: d.eventId }))))
      return;
    const key = isReply ? threadKey({ teamId: d.teamId, channelId: e.channel, threadTs: e.thread_ts! }) : undefined;
    ourThread = key ? await isOurThread(deps, key) : false;
    if (!mentioned && !dm && !ourThread) return;
    // A DM root message without a mention arrives only as `message`; mentions arrive as both.
    if (!(await claims.claim(messageKey({ teamId: d.teamId, channelId: e.channel, ts: e.ts })))) return;

    const user = e.user;
    const files = await sharedFiles(deps, e);
    const text = stripMention(e.text, d.botUserId);
    // A file shared without a word is a request about the file (not a call for help).
    const asked = text || (files.accepted.length ? "Please look at the attached file." : text);
    const dispatch = await router.dispatch(asked, {
      deps,
      source: "mention",
      prefix: "@codethread",
      teamId: d.teamId,
      user,
      channel: e.channel,
      threadTs: e.thread_ts,
      isAdmin: isAdmin(deps.access, user),
      respond: (text) => tell(deps, e, text),
      ack: async () => undefined,
      // Claimed above (event id, then channel + ts): this replica handles the message.
      delivery: { key: messageKey({ teamId: d.teamId, channelId: e.channel, ts: e.ts }), claim: async () => true },
    });
    if (dispatch.kind === "handled") return;
    let context: string | undefined;
    if (mentioned && isReply && !ourThread) {
      context = await fetchThreadContext(deps.slack, {
        channel: e.channel,
        threadTs: e.thread_ts!,
        beforeTs: e.ts,
        botUserId: d.botUserId,
        botId: d.botId,
        maxChars: deps.maxContextChars,
        users: deps.users,
      }).catch((err: unknown) => {
        deps.log.warn({ err, channel: e.channel }, "could not read the thread for context");
        return undefined;
      });
    }
    const result = await startRun(deps, {
      teamId: d.teamId,
      channelId: e.channel,
      userId: user,
      slackPrompt: dispatch.slackPrompt,
      agent: dispatch.agent,
      model: dispatch.model,
      project: dispatch.project,
      source: ourThread ? "reply" : dm ? "dm" : "mention",
      context,
      threadTs: e.thread_ts ?? e.ts,
      dedupeKey: messageKey({ teamId: d.teamId, channelId: e.channel, ts: e.ts }),
      files: files.accepted,
      messageTs: e.ts,
    });
    // Refusals are final (a second delivery would only repeat them); keys are released only on failures.
    if (!result.ok) await tell(deps, e, result.message);
    else if (files.skipped.length) {
      await deps.slack
        .postMessage({ channel: e.channel, threadTs: result.threadTs, text: skippedText(files.skipped) })
        .catch((err: unknown) => deps.log.warn({ err, channel: e.channel }, "could not say which files were skipped"));
    }
  } catch (err) {
    await claims.release();
    deps.log.error({ err, channel: e.channel, ts: e.ts }, "handling a message failed");
    // Addressed to us (or a reply in one of our threads): say it was not taken. A reply in a thread we
    // could not check is not known to be for us, and strangers' threads are never answered.
    if (mentioned || dm || ourThread) await tell(deps, e, notTakenMessage(err));
  }
}
