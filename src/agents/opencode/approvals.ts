import { messageOf } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { AgentEvent } from "../events.js";
import type { PermissionDecision } from "../port.js";
import type { PermissionPolicy } from "../request.js";
import type { OpenCodeClient } from "./client.js";
import { answerQuestions, askHandling } from "./permissions.js";
import type { PermissionAsked, QuestionAsked } from "./schemas.js";
import type { Translator } from "./translate.js";

interface Pending {
  tool: string;
  timer: NodeJS.Timeout;
}

/**
 * Permission requests and questions of one run. `ask`: a `permission_request` event, answered
 * through `respond()` or denied when the policy's timeout passes. Other policies answer at once.
 * Questions are answered or declined by policy right away, so none ever blocks a run.
 */
export class Approvals {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly client: OpenCodeClient,
    private readonly directory: string,
    private readonly policy: PermissionPolicy | undefined,
    private readonly translator: Translator,
    private readonly push: (event: AgentEvent) => Promise<void>,
    /** For events caused by the consumer's own call: never waits on the queue's bound. */
    private readonly pushNow: (event: AgentEvent) => void,
    private readonly log: Logger,
  ) {}

  async asked(asked: PermissionAsked): Promise<void> {
    if (this.#pending.has(asked.id)) return;
    const { tool, input, summary } = this.translator.describePermission(asked);
    const handling = askHandling(this.policy);
    if (handling.kind === "allow") return this.#reply(asked.id, "once");
    if (handling.kind === "deny") {
      await this.#reply(asked.id, "reject", handling.reason);
      return this.push({ type: "permission_denied", tool, id: asked.id, reason: handling.reason });
    }
    const minutes = Math.max(1, Math.round(handling.timeoutMs / 60_000));
    const timer = setTimeout(() => {
      void this.respond(asked.id, { allow: false, message: `No answer within ${minutes} minute(s); denied.` });
    }, handling.timeoutMs);
    this.#pending.set(asked.id, { tool, timer });
    await this.push({ type: "permission_request", id: asked.id, tool, input, summary });
  }

  /** Someone answered elsewhere (another client): stop waiting. */
  replied(requestId: string): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(requestId);
  }

  async respond(requestId: string, decision: PermissionDecision): Promise<boolean> {
    const pending = this.#pending.get(requestId);
    if (!pending) return false;
    clearTimeout(pending.timer);
    this.#pending.delete(requestId);
    if (decision.allow) {
      await this.#reply(requestId, "once", decision.message);
      return true;
    }
    // A reject with a message lets the agent continue (it reads why); without one OpenCode stops the turn.
    const reason = decision.message ?? "The user denied this tool use.";
    await this.#reply(requestId, "reject", reason);
    this.pushNow({ type: "permission_denied", tool: pending.tool, id: requestId, reason });
    return true;
  }

  async question(asked: QuestionAsked): Promise<void> {
    try {
      if (answerQuestions(this.policy) === "first-option") {
        const answers = asked.questions.map((q) => (q.options[0] ? [q.options[0].label] : []));
        await this.client.replyQuestion(this.directory, asked.id, answers);
      } else {
        await this.client.rejectQuestion(this.directory, asked.id);
      }
    } catch (err) {
      this.log.warn({ err: messageOf(err), requestId: asked.id }, "opencode: could not answer a question");
    }
  }

  /** Deny whatever still waits (the run ended or was cancelled): the server keeps stale requests otherwise. */
  async closeAll(reason: string): Promise<void> {
    const ids = [...this.#pending.keys()];
    for (const id of ids) {
      clearTimeout(this.#pending.get(id)!.timer);
      this.#pending.delete(id);
      await this.#reply(id, "reject", reason);
    }
  }

  async #reply(requestId: string, reply: "once" | "reject", message?: string): Promise<void> {
    try {
      await this.client.replyPermission(this.directory, requestId, reply, message);
    } catch (err) {
      this.log.warn({ err: messageOf(err), requestId }, "opencode: could not answer a permission request");
    }
  }
}
