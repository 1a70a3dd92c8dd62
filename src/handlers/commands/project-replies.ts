import { ErrUnknownProject } from "../../ci/errors.js";
import { CodethreadError, messageOf } from "../../errors.js";
import { ErrSlackApi } from "../../slack/errors.js";
import type { Block } from "../../slack/slack-api.js";
import type { ProjectDirectory } from "../deps.js";
import { cannotPostText } from "../post-refusal.js";
import type { CommandContext } from "./types.js";

/** The project service, or undefined after telling the person that projects are not set up here. */
export async function projectsOf(ctx: CommandContext, what: string): Promise<ProjectDirectory | undefined> {
  if (ctx.deps.projects) return ctx.deps.projects;
  await ctx.respond(
    `Projects are not set up in this installation, so \`${ctx.prefix} ${what}\` has nothing to work on.`,
  );
  return undefined;
}

/** The sentence for a refusal: a CodethreadError's own; an unknown project also lists the known ones. */
export async function refusalText(err: unknown, projects: ProjectDirectory, prefix: string): Promise<string> {
  if (!(err instanceof CodethreadError)) throw err;
  const text = err.message.replaceAll("`/agent ", `\`${prefix} `);
  if (!(err instanceof ErrUnknownProject)) return text;
  const names = await projects.names().catch(() => []);
  return `${text} Known projects: ${names.map((n) => `\`${n}\``).join(", ") || "none yet"}.`;
}

/**
 * Post a project card where the command was typed (in its thread for a mention inside one).
 * Returns its ts, or undefined after telling the person why Slack refused it.
 */
export async function postCard(
  ctx: CommandContext,
  card: { text: string; blocks: Block[] },
  what: string,
): Promise<string | undefined> {
  try {
    return (await ctx.deps.slack.postMessage({ channel: ctx.channel, threadTs: ctx.threadTs, ...card })).ts;
  } catch (err) {
    const reason = err instanceof ErrSlackApi ? err.slackError : "unknown";
    ctx.deps.log.warn({ err: messageOf(err), channel: ctx.channel, slackError: reason }, `could not post ${what}`);
    await ctx.respond(cannotPostText(reason, what));
    return undefined;
  }
}

/** The job's card says why it was not queued (the database refused): never a live card that nothing edits. */
export async function failCard(
  ctx: CommandContext,
  ts: string,
  card: { text: string; blocks: Block[] },
): Promise<void> {
  await ctx.deps.slack.update({ channel: ctx.channel, ts, ...card }).catch(() => undefined);
}
