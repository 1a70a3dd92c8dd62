import { toMrkdwn } from "../../agents/tool-summary.js";
import { type AuditStyle, auditChannel, describeAudit } from "../../audit/describe.js";
import { excerpt } from "../../errors.js";
import { type AuditFilter, listAudit } from "../../store/audit.js";
import { isDirectMessage } from "../authorize.js";
import type { Command, ParsedArgs } from "./types.js";

/** Records one `/agent audit` lists when no number is given, and the most it lists. */
export const DefaultAuditLines = 20;
export const MaxAuditLines = 50;
/** Longest line of the listing (the ephemeral answer stays well under Slack's limits). */
const LineChars = 400;

const slackStyle: AuditStyle = {
  user: (id) => (id === "system" ? "codethread" : `<@${id}>`),
  channel: (id) => (isDirectMessage(id) ? "a DM" : `<#${id}>`),
  quote: (text) => `“${toMrkdwn(text)}”`,
};

const userMention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;
const channelMention = /^<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>$/;
const userId = /^@?([UW][A-Z0-9]{2,})$/;
const channelId = /^#?([CGD][A-Z0-9]{2,})$/;

export type AuditArgs = { ok: true; filter: AuditFilter & { limit: number } } | { ok: false; message: string };

/** `[@user|#channel] [N]`, from the arguments as Slack sent them (mentions carry the ids). */
export function parseAuditArgs(args: Pick<ParsedArgs, "raw">, prefix: string): AuditArgs {
  const filter: AuditFilter & { limit: number } = { limit: DefaultAuditLines };
  for (const word of args.raw.split(/\s+/).filter(Boolean)) {
    const user = userMention.exec(word) ?? userId.exec(word);
    const channel = channelMention.exec(word) ?? channelId.exec(word);
    if (/^\d+$/.test(word)) filter.limit = Math.min(Math.max(Number(word), 1), MaxAuditLines);
    else if (user) filter.user = user[1];
    else if (channel) filter.channel = channel[1];
    else {
      return {
        ok: false,
        message: `I could not read \`${toMrkdwn(excerpt(word, 60))}\` as a person or a channel. Pick them from Slack's @ or # menu, or give an id (\`U0123ABCD\`, \`C0123ABCD\`): \`${prefix} audit [@user|#channel] [N]\`.`,
      };
    }
  }
  return { ok: true, filter };
}

/** `/agent audit [@user|#channel] [N]` (admins): who asked what, where, tools, approvals, cancels, costs. */
export const auditCommand: Command = {
  name: "audit",
  adminOnly: true,
  takesArgs: true,
  usage: "[@user|#channel] [N]",
  summary: `the last N (default ${DefaultAuditLines}, at most ${MaxAuditLines}) audit records — who asked what and where, tools run, approvals, cancels, costs; only you see them.`,
  async run(args, ctx) {
    const parsed = parseAuditArgs(args, ctx.prefix);
    if (!parsed.ok) return ctx.respond(parsed.message);
    await ctx.ack();
    const { filter } = parsed;
    const records = await listAudit(ctx.deps.db, filter);
    const scope = filter.user
      ? ` of ${slackStyle.user(filter.user)}`
      : filter.channel
        ? ` in ${slackStyle.channel(filter.channel)}`
        : "";
    if (!records.length) return ctx.respond(`*Audit*${scope}: no records.`);
    const lines = records.map((r) => {
      const at = Math.floor(r.at.getTime() / 1000);
      const channel = auditChannel(r);
      const where = channel ? ` · ${slackStyle.channel(channel)}` : "";
      const text = `• <!date^${at}^{date_short} {time_secs}|${r.at.toISOString()}>${where} · ${describeAudit(r, slackStyle)}`;
      return excerpt(text, LineChars);
    });
    await ctx.respond([`*Audit*${scope} — the last ${records.length}, newest first`, ...lines].join("\n"));
  },
};
