import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { builtInProviders, loadReplayer } from "../../agents/providers.js";
import { messageOf } from "../../errors.js";
import { parseOrUsage } from "../errors.js";
import { type CommandIO, HumanRenderer } from "./run.js";

export const replayHelp = `Usage: codethread replay --provider ID FILE [--json] [--cwd DIR]

Print what a recorded transcript (e.g. claude -p --output-format stream-json output) normalizes
to: the same events a live run emits. --json prints one AgentEvent per line; --cwd makes tool
paths relative to the workspace the transcript was recorded in.`;

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
  const known = builtInProviders();
  const replay = values.provider ? await loadReplayer(values.provider) : undefined;
  if (!replay || !file || positionals.length > 1) {
    const why = !values.provider
      ? "--provider is required"
      : !replay
        ? `Unknown provider "${values.provider}". Available: ${known.join(", ")}.`
        : "give exactly one FILE";
    io.stderr.write(`${why}\n\n${replayHelp}\n`);
    return 2;
  }
  if (!existsSync(file)) {
    io.stderr.write(`No such file: ${file}\n`);
    return 1;
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const human = new HumanRenderer(io);
  try {
    for await (const event of replay(lines, { cwd: values.cwd })) {
      if (values.json) io.stdout.write(`${JSON.stringify(event)}\n`);
      else human.render(event);
    }
  } catch (err) {
    io.stderr.write(`Could not replay ${file}: ${messageOf(err)}\n`);
    return 1;
  }
  return 0;
}
