import type { App } from "@slack/bolt";
import { excerpt } from "../errors.js";
import { ActionIds, PermissionButtonValue } from "../slack/actions.js";
import { renderPermissionAnswered } from "../slack/permission-message.js";
import { recordAudit } from "../store/audit.js";
import { AgentRunPayload } from "../worker/agent-run-payload.js";
import { mayControl } from "./authorize.js";
import type { HandlerDeps } from "./deps.js";
import { BlockActionPayload, issuesOf } from "./schemas.js";

/** How much of the request's text its audit record keeps. */
const AuditQuestionChars = 200;

/** Approve / Deny buttons of a permission request: only the requester or an admin may answer. */
export function registerPermissionActions(app: App, deps: HandlerDeps): void {
  const answer =
    (allow: boolean) =>
    async ({ ack, body }: { ack: () => Promise<void>; body: unknown }) => {
      await ack();
      const parsed = BlockActionPayload.safeParse(body);
      const value = parsed.success ? PermissionButtonValue.safeParse(parsed.data.actions[0]!.value) : undefined;
      if (!parsed.success || !value?.success) {
        deps.log.warn(
          { issues: parsed.success ? "bad button value" : issuesOf(parsed.error) },
          "unexpected permission payload",
        );
        return;
      }
      const b = parsed.data;
      const { jobId, requestId } = value.data;
      const userId = b.user.id;
      const channel = b.container.channel_id;
      const tell = (text: string) =>
        deps.slack
          .postEphemeral({ channel, user: userId, text, threadTs: b.container.thread_ts })
          .catch((err: unknown) => deps.log.warn({ err }, "ephemeral failed"));

      const job = await deps.queue.get(jobId);
      const payload = job ? AgentRunPayload.safeParse(job.payload) : undefined;
      if (!job || !payload?.success)
        return void (await tell("This request is no longer waiting: its run has finished."));
      if (!mayControl(deps.access, userId, payload.data.userId)) {
        await recordAudit(deps.db, {
          actor: userId,
          action: "access.denied",
          threadKey: job.threadKey,
          detail: { what: "permission", jobId, requestId },
        });
        return void (await tell(`Only <@${payload.data.userId}> (who asked) or an admin can answer this request.`));
      }
      // Recorded before delivery, so the publisher can tell this denial from a timeout.
      await recordAudit(deps.db, {
        actor: userId,
        action: allow ? "permission.allow" : "permission.deny",
        threadKey: job.threadKey,
        detail: {
          jobId,
          requestId,
          requester: payload.data.userId,
          question: excerpt(b.message?.text ?? "", AuditQuestionChars),
        },
      });
      const decision = allow ? { allow: true } : { allow: false, message: `Denied by <@${userId}> in Slack` };
      const delivered = await deps.queue.answerPermission(jobId, requestId, decision, userId);
      if (!delivered) return void (await tell("This request is no longer waiting: its run has finished."));
      const question = b.message?.text ?? "The agent's request";
      await deps.slack
        .update({ channel, ts: b.container.message_ts, ...renderPermissionAnswered(question, { allow, by: userId }) })
        .catch((err: unknown) => deps.log.warn({ err }, "could not update the permission message"));
    };
  app.action(ActionIds.approve, answer(true));
  app.action(ActionIds.deny, answer(false));
}
