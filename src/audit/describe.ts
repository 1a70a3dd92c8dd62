import { excerpt } from "../errors.js";
import type { AuditRecord } from "../store/audit.js";
import { parseThreadKey } from "../store/thread-key.js";
import { formatUsd } from "../text.js";

/**
 * Audit records in words, one line each, for `/agent audit` (Slack mrkdwn) and `codethread audit`
 * (plain text): who asked what and where, which tools ran, who approved or denied, who cancelled,
 * how runs ended and what they cost. Actions without words of their own (new areas such as pull
 * requests or CI verdicts) still get a line: their name and details.
 */
export interface AuditStyle {
  user(id: string): string;
  channel(id: string): string;
  /** Text someone typed or an agent produced, shown as data. */
  quote(text: string): string;
}

/** Plain text for terminals and files. */
export const PlainAuditStyle: AuditStyle = {
  user: (id) => (id === "system" ? "codethread" : `@${id}`),
  channel: (id) => `#${id}`,
  quote: (text) => `"${text}"`,
};

/** The channel an audit record belongs to (its thread's, or the one it names). */
export function auditChannel(r: AuditRecord): string | undefined {
  const fromKey = r.threadKey ? parseThreadKey(r.threadKey)?.channelId : undefined;
  return fromKey ?? str(r.detail.channel);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function seconds(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : `${Math.round(ms / 1000)} s`;
}

/** The words of one record, without time and place. */
export function describeAudit(r: AuditRecord, s: AuditStyle): string {
  const d = r.detail;
  const actor = s.user(r.actor);
  const requester = str(d.requester);
  const whose = requester && requester !== r.actor ? ` (the run of ${s.user(requester)})` : "";
  const q = (v: unknown, max = 160) => s.quote(excerpt(str(v) ?? "", max));
  switch (r.action) {
    case "run.queue": {
      const opts = [str(d.provider) && `agent ${str(d.provider)}`, str(d.model) && `model ${str(d.model)}`]
        .filter(Boolean)
        .join(", ");
      return `${actor} asked: ${q(d.prompt)}${opts ? ` (${opts})` : ""}`;
    }
    case "run.start":
      return `run of ${actor} started on ${str(d.provider) ?? "an agent"}${d.resumed ? ", resuming its session" : ""}`;
    case "tool.use":
      return `the agent, for ${actor}: ${q(d.summary)}${str(d.kind) ? ` (${str(d.kind)})` : ""}`;
    case "permission.allow":
    case "permission.deny":
      return `${actor} ${r.action === "permission.allow" ? "approved" : "denied"} ${d.question ? q(d.question) : "a permission request"}${whose}`;
    case "permission.timeout":
      return `a permission request was denied: nobody answered in time${whose}`;
    case "run.cancel":
      return `${actor} cancelled${requester && requester !== r.actor ? ` the run of ${s.user(requester)}` : " the run"}${str(d.result) ? ` (${str(d.result)?.replace(/_/g, " ")})` : ""}`;
    case "run.finish": {
      const cost = num(d.costUsd);
      const facts = [
        str(d.outcome)?.replace(/_/g, " ") ?? "ended",
        cost === undefined ? undefined : formatUsd(cost),
        seconds(num(d.durationMs)),
        str(d.errorCode) && str(d.errorCode) !== "budget_exceeded" ? str(d.errorCode) : undefined,
      ].filter(Boolean);
      const by = str(d.cancelledBy) ? `, cancelled by ${s.user(str(d.cancelledBy)!)}` : "";
      return `run of ${actor} finished: ${facts.join(" · ")}${by}`;
    }
    case "run.interrupted":
      return `a run was interrupted: ${q(d.reason)}`;
    case "session.reset":
      return `the agent no longer had the session of ${requester ? s.user(requester) : "this thread"}; a fresh one was started`;
    case "channel.settings":
      return `${actor} set ${str(d.channel) ? s.channel(str(d.channel)!) : "a channel"} to ${str(d.verbosity) ?? "new settings"}`;
    case "access.denied":
      return `${actor} was refused ${str(d.what) ?? "access"}${str(d.reason) ? ` (${str(d.reason)})` : ""}`;
    case "pr.open":
    case "pr.update":
    case "pr.reuse": {
      const verb = { "pr.open": "opened", "pr.update": "pushed to", "pr.reuse": "found up to date" }[r.action];
      const commit = str(d.commit)?.slice(0, 8);
      return `${actor} ${verb} pull request #${num(d.number) ?? "?"} of ${str(d.project) ?? "a project"} (${str(d.branch) ?? "?"} → ${str(d.base) ?? "?"}${commit ? `, ${commit}` : ""})`;
    }
    case "ci.verdict":
      return `the CI said ${str(d.state) ?? "?"} on ${str(d.commit)?.slice(0, 8) ?? "a commit"} of pull request #${num(d.pr) ?? "?"} (${str(d.project) ?? "a project"})`;
    default:
      return `${actor} ${r.action}${Object.keys(d).length ? ` ${s.quote(excerpt(JSON.stringify(d), 200))}` : ""}`;
  }
}

/** One JSON line of `codethread audit --json` (the export): the record as stored, plus its channel. */
export function auditJson(r: AuditRecord): string {
  return JSON.stringify({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    channel: auditChannel(r) ?? null,
    threadKey: r.threadKey,
    detail: r.detail,
  });
}
