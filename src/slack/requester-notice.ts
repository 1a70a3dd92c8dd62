import type { Logger } from "../log.js";
import type { AnswerDelivery } from "./answer.js";
import type { Clock } from "./clock.js";
import { conversation, type Destination, type Route, sendPlan } from "./destination.js";
import type { PostResponse } from "./response-url.js";
import { type RetryPolicy, retrySlackCall } from "./retry.js";
import type { Block, SlackApi } from "./slack-api.js";
import { slackErrorOf } from "./slack-failure.js";

/** Who asked for a run, and the ways to reach them besides its thread. */
export interface Requester {
  userId: string;
  /** The run's channel (named in the notice). */
  channel: string;
  /** The slash command's response_url (absent for mentions and replies). */
  responseUrl?: string;
  /** Epoch ms after which Slack surely refuses the response_url (30 min after the command). */
  responseUrlUntil?: number;
}

export interface RequesterDeps {
  /** Retrying Web API client (for the DM). */
  api: SlackApi;
  postResponse: PostResponse;
  log: Logger;
  clock: Clock;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

/** What to say, and why it did not go to the thread. */
export interface Notice {
  /** "the answer", "this notice": named in the lead line. */
  what: string;
  /** Slack's error when the thread refused. */
  reason: string;
  /** The message(s); `canAttach` is false where no file can go. */
  plan: (canAttach: boolean) => AnswerDelivery;
  fullText: string;
}

const hints: Record<string, string> = {
  not_in_channel: "I'm not a member there; invite me with `/invite @codethread`",
  channel_not_found: "I can't see that channel; private channels need an invite",
  is_archived: "the channel is archived",
};

function lead(channel: string, n: Notice): Block[] {
  const why = hints[n.reason] ? `${hints[n.reason]} (\`${n.reason}\`)` : `Slack said \`${n.reason}\``;
  const text = `:warning: I couldn't post ${n.what} of your run in <#${channel}>: ${why}. Here it is instead.`;
  return [{ type: "section", text: { type: "mrkdwn", text } }];
}

/**
 * Tell the requester what their thread refused, by the best remaining route: the slash command's
 * response_url while Slack still accepts it (an ephemeral message in the channel, which works
 * even where the bot is not a member), else a direct message (conversations.open +
 * chat.postMessage). Each fallback is logged; returns the route that worked ("none": all refused).
 */
export async function tellRequester(deps: RequesterDeps, who: Requester, notice: Notice): Promise<Route> {
  const blocks = lead(who.channel, notice);
  const base = { userId: who.userId, channel: who.channel, slackError: notice.reason, what: notice.what };
  const url = who.responseUrl;
  const expired = who.responseUrlUntil !== undefined && deps.clock.now() >= who.responseUrlUntil;
  if (url && !expired) {
    const dest: Destination = {
      route: "response_url",
      post: (m) =>
        retrySlackCall(
          "response_url",
          () => deps.postResponse(url, { response_type: "ephemeral", replace_original: false, ...m }),
          { policy: deps.retry, log: deps.log, signal: deps.signal },
        ),
    };
    try {
      await sendPlan(dest, notice.plan(false), notice.fullText, blocks);
      deps.log.warn({ ...base, route: "response_url" }, "thread refused; told the requester through response_url");
      return "response_url";
    } catch (err) {
      deps.log.warn({ ...base, err, responseUrlError: slackErrorOf(err) }, "response_url refused too; trying a DM");
    }
  }
  try {
    const dm = await deps.api.openDm(who.userId);
    await sendPlan(conversation(deps.api, dm), notice.plan(true), notice.fullText, blocks);
    deps.log.warn({ ...base, route: "dm" }, "thread refused; told the requester by direct message");
    return "dm";
  } catch (err) {
    deps.log.error(
      { ...base, err, dmError: slackErrorOf(err) },
      "nobody could be told: thread, response_url and DM all refused",
    );
    return "none";
  }
}
