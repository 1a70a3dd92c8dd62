import type { App } from "@slack/bolt";
import { ActionIds } from "../slack/actions.js";
import { verdictOf } from "../store/pull-requests.js";
import { threadKey } from "../store/thread-key.js";
import type { HandlerDeps } from "./deps.js";
import { requestPullRequest } from "./pull-request-request.js";
import { BlockActionPayload, issuesOf } from "./schemas.js";
import { startRun } from "./start-run.js";

/**
 * **Open pull request** (on a run's final message) and **Fix the build** (on a failed CI
 * verdict). Both act on the thread the clicked message is in.
 */
export function registerPullRequestActions(app: App, deps: HandlerDeps): void {
  /** The click and the thread of the clicked message; undefined for a payload that is not one. */
  const clicked = (body: unknown) => {
    const parsed = BlockActionPayload.safeParse(body);
    if (!parsed.success) {
      deps.log.warn({ issues: issuesOf(parsed.error) }, "unexpected button payload");
      return undefined;
    }
    const b = parsed.data;
    const teamId = b.team?.id;
    if (!teamId) return undefined;
    const ref = {
      teamId,
      channelId: b.container.channel_id,
      threadTs: b.container.thread_ts ?? b.container.message_ts,
    };
    return { b, ref, key: threadKey(ref) };
  };
  const tell = (b: BlockActionPayload, text: string) =>
    deps.slack
      .postEphemeral({ channel: b.container.channel_id, user: b.user.id, text, threadTs: b.container.thread_ts })
      .catch((err: unknown) => deps.log.warn({ err }, "ephemeral failed"));

  app.action(ActionIds.openPullRequest, async ({ ack, body }) => {
    await ack();
    const click = clicked(body);
    if (!click) return;
    const { b, ref, key } = click;
    const text = await requestPullRequest(deps, {
      ...ref,
      userId: b.user.id,
      source: "button",
      // A retried delivery of this click is the same job; another click is a new one (it reuses the PR).
      dedupeKey: `pr:${key}:${b.user.id}:${b.actions[0]?.action_ts ?? b.container.message_ts}`,
    });
    await tell(b, text);
  });

  app.action(ActionIds.fixBuild, async ({ ack, body }) => {
    await ack();
    const click = clicked(body);
    if (!click) return;
    const { b, ref, key } = click;
    const sha = b.actions[0]?.value ?? "";
    // What the CI said is the stored verdict (the clicked message's text is Slack's copy of it).
    const verdict = await verdictOf(deps.db, key, sha);
    const prompt = [
      `The CI build of commit ${sha.slice(0, 12)} on this thread's pull request failed. What the CI said:`,
      (verdict?.detail || b.message?.text || "(no details)").slice(0, 6_000),
      "Fix the build: find why it failed, change the code so it passes, and say what you changed.",
    ].join("\n\n");
    const started = await startRun(deps, {
      teamId: ref.teamId,
      channelId: ref.channelId,
      userId: b.user.id,
      slackPrompt: prompt.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
      source: "reply",
      threadTs: ref.threadTs,
      dedupeKey: `ci_fix:${key}:${sha}`,
    });
    if (!started.ok) await tell(b, started.message);
  });
}
