import type { HandlerDeps } from "../deps.js";

/** The words after the command name: positional words, `key=value` options, and the text as typed. */
export interface ParsedArgs {
  /** Everything after the command name, trimmed, Slack markup decoded (mentions without a label stay `@U123`). */
  text: string;
  /** Words that are not options, in order. */
  words: string[];
  /** `key=value` words (keys lower-cased); a key given twice keeps the last value. */
  options: Record<string, string>;
  /** The arguments as Slack sent them (markup kept: `<@U123|alice>`, `<#C123|general>`), trimmed. */
  raw: string;
}

/** Where a command came from and how to answer the person who sent it. */
export interface CommandContext {
  deps: HandlerDeps;
  source: "slash" | "mention";
  /** How the person calls the bot here: `/agent` or `@codethread` (for usage lines). */
  prefix: string;
  teamId: string;
  user: string;
  channel: string;
  /** Thread of the message (mentions and replies); slash commands have none. */
  threadTs?: string;
  isAdmin: boolean;
  /**
   * An answer only the sender sees: the slash command's ack or response_url, or an ephemeral
   * message in the mention's thread. Broadcast mentions in it are neutralized.
   */
  respond(text: string): Promise<void>;
  /** Acknowledge before slow work (slash commands must be acknowledged within 3 s; mentions: nothing to do). */
  ack(): Promise<void>;
  /**
   * The Slack delivery this command came in (slash trigger id, mention message): `key` is the
   * idempotency key of what it queues; `claim()` is false when another replica (or a retry)
   * already handles it, so nothing is posted twice. Absent: no key (nothing to dedupe by).
   */
  delivery?: { key: string; claim(): Promise<boolean> };
}

/** One `/agent <name> …` command. Registered in commands/index.ts; help is generated from these fields. */
export interface Command {
  /** The word that selects it (lower case), or two words for a subcommand (`project new`). */
  name: string;
  aliases?: readonly string[];
  /** Only CODETHREAD_ADMINS may use it. */
  adminOnly: boolean;
  /** Not listed in help (a group word such as `project` whose subcommands are listed instead). */
  hidden?: boolean;
  /**
   * False: the command takes no arguments and matches only its bare name, so a prompt that merely
   * starts with the word (`help me fix the login`) still goes to the agent.
   */
  takesArgs: boolean;
  /** Arguments shown after the name in help, e.g. `new NAME`; empty for none. */
  usage: string;
  /** What it does, one line (mrkdwn). */
  summary: string;
  run(args: ParsedArgs, ctx: CommandContext): Promise<void>;
}
