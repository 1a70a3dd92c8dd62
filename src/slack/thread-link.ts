import type { ThreadRef } from "../store/thread-key.js";

/**
 * A link to a Slack thread that needs no API call (chat.getPermalink would): Slack's web client
 * opens it in the workspace, for anyone who can see the channel. Commit trailers and pull request
 * descriptions carry it.
 */
export function threadLink(ref: ThreadRef): string {
  const seg = encodeURIComponent;
  return `https://app.slack.com/client/${seg(ref.teamId)}/${seg(ref.channelId)}/thread/${seg(ref.channelId)}-${seg(ref.threadTs)}`;
}
