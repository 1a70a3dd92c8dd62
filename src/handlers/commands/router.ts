import { CodethreadError } from "../../errors.js";
import { recordAudit } from "../../store/audit.js";
import { threadKey } from "../../store/thread-key.js";
import { mayRun } from "../authorize.js";
import { firstWord, parseArgs } from "./args.js";
import { parseRunText } from "./run-text.js";
import type { Command, CommandContext } from "./types.js";

/** What the caller does next: nothing (a command answered), or start a run with this request. */
export type Dispatch =
  | { kind: "handled" }
  | {
      kind: "run" /** As Slack sent it; decoded by startRun. */;
      slackPrompt: string;
      agent?: string;
      model?: string;
      project?: string;
    };

/** A registered name or alias was already taken (a programming error, found at start). */
export class ErrCommandTaken extends CodethreadError {
  constructor(word: string) {
    super("command_taken", `The command word "${word}" is registered twice.`, { word });
  }
}

/**
 * The `/agent` and `@codethread` commands. The same router serves slash commands and mentions:
 * the caller builds a CommandContext (how to answer, who, where) and hands over the text after the
 * command or mention. The router checks access first — nothing is answered to someone the
 * allow-lists refuse — then picks a command by the first word, and otherwise returns the text as a
 * run request. Help is generated from the registered commands.
 */
export class CommandRouter {
  readonly #commands: Command[] = [];
  readonly #byWord = new Map<string, Command>();

  register(command: Command): this {
    for (const word of [command.name, ...(command.aliases ?? [])]) {
      const key = word.toLowerCase();
      if (this.#byWord.has(key)) throw new ErrCommandTaken(key);
      this.#byWord.set(key, command);
    }
    this.#commands.push(command);
    return this;
  }

  commands(): readonly Command[] {
    return this.#commands;
  }

  /** Usage lines of every registered command, for `help`. */
  usageLines(prefix: string, isAdmin: boolean): string[] {
    return this.#commands
      .filter((c) => !c.hidden && (isAdmin || !c.adminOnly))
      .map(
        (c) =>
          `• \`${prefix} ${c.name}${c.usage ? ` ${c.usage}` : ""}\` — ${c.summary}${c.adminOnly ? " _(admins)_" : ""}`,
      );
  }

  /**
   * The command a text selects, if any: a two-word subcommand (`project new`) before its group
   * word (`project`); an argument-less command only for its bare name.
   */
  resolve(text: string): { command: Command; rest: string } | undefined {
    const { word, rest } = firstWord(text);
    const second = firstWord(rest);
    const candidates: [Command | undefined, string][] = [
      [second.word ? this.#byWord.get(`${word} ${second.word}`) : undefined, second.rest],
      [this.#byWord.get(word), rest],
    ];
    for (const [command, after] of candidates) {
      if (command && (command.takesArgs || after.trim() === "")) return { command, rest: after };
    }
    return undefined;
  }

  async dispatch(text: string, ctx: CommandContext): Promise<Dispatch> {
    const denied = (what: string, reason: string) =>
      recordAudit(ctx.deps.db, {
        actor: ctx.user,
        action: "access.denied",
        threadKey: ctx.threadTs
          ? threadKey({ teamId: ctx.teamId, channelId: ctx.channel, threadTs: ctx.threadTs })
          : undefined,
        detail: { what, channel: ctx.channel, reason },
      });
    const access = mayRun(ctx.deps.access, ctx.user, ctx.channel);
    if (!access.ok) {
      await ctx.respond(access.message);
      await denied(this.resolve(text)?.command.name ?? "run", access.reason);
      return { kind: "handled" };
    }
    const empty = text.trim() === "";
    const found = empty ? this.resolve("help") : this.resolve(text);
    if (found) {
      const { command, rest } = found;
      if (command.adminOnly && !ctx.isAdmin) {
        await ctx.respond(`Only admins (CODETHREAD_ADMINS) can use \`${ctx.prefix} ${command.name}\`.`);
        await denied(command.name, "admin");
        return { kind: "handled" };
      }
      await command.run(parseArgs(rest), ctx);
      return { kind: "handled" };
    }
    const run = parseRunText(text);
    if (run.kind === "invalid") {
      await ctx.respond(run.message);
      return { kind: "handled" };
    }
    return run;
  }
}
