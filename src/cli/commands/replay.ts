import { createReadStream, existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { findProvider, providers } from "../../agents/providers.js";
import { CodethreadError, messageOf } from "../../errors.js";
import { DefaultMaxLineBytes, readLines } from "../../process/line-reader.js";
import { terminalSafe } from "../../text.js";
import { parseOrUsage } from "../errors.js";
import { type CommandIO, HumanRenderer } from "./run.js";

export const replayHelp = `Usage: codethread replay --provider ID FILE [--json] [--cwd DIR]

Print what a recorded transcript (e.g. claude -p --output-format stream-json output, or an
OpenCode /event capture) normalizes to: the same events a live run emits. --json prints one
AgentEvent per line; --cwd makes tool paths relative to the workspace the transcript was
recorded in. Exits 1 when FILE is not a transcript of that provider or is cut short.`;

const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;

/** `codethread replay`: normalize a recorded transcript and print it. */
export async function replayCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseOrUsage(replayHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        provider: { type: "string" },
        json: { type: "boolean", default: false },
        cwd: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }),
  );
  if (values.help) {
    io.stdout.write(`${replayHelp}\n`);
    return 0;
  }
  const file = positionals[0];
  const provider = values.provider ? findProvider(values.provider) : undefined;
  if (!provider || !file || positionals.length > 1) {
    const why = !values.provider
      ? "--provider is required"
      : !provider
        ? `Unknown provider "${terminalSafe(values.provider)}". Available: ${providers.map((p) => p.id).join(", ")}.`
        : "give exactly one FILE";
    io.stderr.write(`${why}\n\n${replayHelp}\n`);
    return 2;
  }
  const shown = terminalSafe(file);
  if (!existsSync(file)) {
    io.stderr.write(`No such file: ${shown}\n`);
    return 1;
  }
  // The line reader's bound: a huge or endless line costs at most DefaultMaxLineBytes, and is skipped.
  async function* lines(): AsyncGenerator<string> {
    for await (const item of readLines(createReadStream(file as string), DefaultMaxLineBytes)) {
      if (item.kind === "line") yield item.text;
      else
        io.stderr.write(`warning: skipped a line of ${mib(item.bytes)} (the limit is ${mib(DefaultMaxLineBytes)})\n`);
    }
  }
  const human = new HumanRenderer(io);
  try {
    const replay = await provider.loadReplayer();
    for await (const event of replay(lines(), { cwd: values.cwd })) {
      if (values.json) io.stdout.write(`${JSON.stringify(event)}\n`);
      else human.render(event);
    }
  } catch (err) {
    const why = err instanceof CodethreadError ? err.message : messageOf(err);
    io.stderr.write(`Could not replay ${shown}: ${terminalSafe(why)}\n`);
    return 1;
  }
  return 0;
}
