import { randomUUID } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import type { AgentEvent, AgentResult } from "../../agents/events.js";
import type { CodeAgent } from "../../agents/port.js";
import { createProviderRegistry } from "../../agents/providers.js";
import { type AgentRequest, AgentRequest as Request } from "../../agents/request.js";
import { summarizeToolResult } from "../../agents/tool-summary.js";
import { loadConfig, loadDotEnv } from "../../config.js";
import { CodethreadError, messageOf } from "../../errors.js";
import { terminalSafe } from "../../text.js";
import { parseOrUsage } from "../errors.js";
import type { CliIO } from "../io.js";

/** `run` and `replay` need only the output streams (tests pass buffers). */
export type CommandIO = Pick<CliIO, "stdout" | "stderr">;

export const runHelp = `Usage: codethread run [--provider ID] [--cwd DIR] [--resume SESSION] [--json] "prompt"

Run one agent turn in DIR (default: the current directory) and stream what it does:
tool summaries, then the answer with cost and duration. --json prints one AgentEvent per line.
Ctrl-C cancels the run cleanly. Nobody can answer approvals in the terminal: with the "ask"
permission policy each request is denied at once.
CODETHREAD_MAX_COST_USD, when set, stops the run once it has cost that much.
Exit codes: 0 succeeded, 1 failed, 2 bad arguments, 3 stopped by its cost budget, 124 timed out,
130 cancelled.`;

/** Exit code of a finished run. */
export function exitCodeOf(result: AgentResult): number {
  const codes: Record<AgentResult["outcome"], number> = {
    succeeded: 0,
    failed: 1,
    budget_exceeded: 3,
    cancelled: 130,
    timed_out: 124,
  };
  return codes[result.outcome];
}

/** Prints events for a person: narration and tool summaries as they come, the answer at the end. */
export class HumanRenderer {
  #summaries = new Map<string, string>();
  /** Text since the last tool use: whole blocks (Claude Code) or streamed chunks (OpenCode), joined. */
  #pendingText = "";
  constructor(private readonly io: CommandIO) {}

  #flushText(): void {
    const text = this.#pendingText.trim();
    if (text) this.io.stdout.write(`${terminalSafe(text)}\n`);
    this.#pendingText = "";
  }

  /** Everything printed goes through terminalSafe: a transcript or an agent cannot drive the terminal. */
  render(e: AgentEvent): void {
    const out = { write: (text: string) => this.io.stdout.write(terminalSafe(text)) };
    const err = { write: (text: string) => this.io.stderr.write(terminalSafe(text)) };
    switch (e.type) {
      case "session_started":
        out.write(`● session ${e.sessionId}${e.model ? ` (${e.model})` : ""}\n`);
        break;
      case "text":
        this.#pendingText += e.text;
        break;
      case "tool_use":
        this.#flushText();
        this.#summaries.set(e.id, e.summary);
        out.write(`  → ${e.summary}\n`);
        break;
      case "tool_result":
        if (!e.ok) out.write(`  ✗ ${summarizeToolResult(this.#summaries.get(e.id) ?? e.id, false)}\n`);
        break;
      case "permission_request":
        out.write(`  ? permission asked: ${e.summary}\n`);
        break;
      case "permission_denied":
        out.write(`  ✗ permission denied: ${e.tool}${e.reason ? ` (${e.reason})` : ""}\n`);
        break;
      case "retrying":
        out.write(`  … retrying (attempt ${e.attempt}${e.maxAttempts ? `/${e.maxAttempts}` : ""}): ${e.reason}\n`);
        break;
      case "error":
        err.write(`warning: ${e.message}\n`);
        break;
      case "raw":
      case "cost":
        break;
      case "result": {
        const r = e.result;
        // The answer is the last text block of a successful run; other outcomes' text was shown live.
        const answer = r.outcome === "succeeded" ? r.text.trim() : "";
        // Streamed live already? Print it once, as the answer.
        const pending = this.#pendingText.trim();
        if (answer && pending.endsWith(answer)) this.#pendingText = pending.slice(0, -answer.length);
        this.#flushText();
        if (answer) out.write(`\n${answer}\n`);
        const facts = [
          r.outcome,
          r.costUsd !== undefined ? `$${r.costUsd.toFixed(4)}` : undefined,
          `${(r.durationMs / 1000).toFixed(1)} s`,
          r.sessionId ? `session ${r.sessionId}` : undefined,
        ].filter(Boolean);
        out.write(`\n— ${facts.join(" · ")}\n`);
        if (r.outcome !== "succeeded" && r.error) err.write(`${r.errorCode ?? "error"}: ${r.error}\n`);
        break;
      }
    }
  }
}

/** `codethread run`: one turn of a provider, streamed to the terminal. */
export async function runCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseOrUsage(runHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        provider: { type: "string" },
        cwd: { type: "string" },
        resume: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }),
  );
  if (values.help) {
    io.stdout.write(`${runHelp}\n`);
    return 0;
  }
  let request: AgentRequest;
  let agent: CodeAgent;
  try {
    loadDotEnv();
    const config = loadConfig(process.env);
    // Only the provider this run uses is imported and built; no logger: the terminal shows the events.
    const registry = await createProviderRegistry(config, undefined, { only: values.provider ?? "default" });
    agent = registry.default();
    request = {
      runId: randomUUID(),
      prompt: positionals.join(" "),
      provider: agent.id,
      sessionId: values.resume,
      workspace: { kind: "local", directory: path.resolve(values.cwd ?? process.cwd()) },
      timeoutMs: config.runs.timeoutMs,
      maxCostUsd: config.runs.maxCostUsd,
    };
    Request.validate(request);
  } catch (err) {
    const message = err instanceof CodethreadError ? err.userMessage : messageOf(err);
    io.stderr.write(`${message}\n`);
    return err instanceof CodethreadError && err.code !== "config_invalid" ? 2 : 1;
  }

  const runId = request.runId;
  const onSigint = () => void agent.cancel(runId);
  process.on("SIGINT", onSigint);
  const human = new HumanRenderer(io);
  let result: AgentResult | undefined;
  try {
    for await (const event of agent.execute(request)) {
      if (event.type === "permission_request") {
        // A terminal run has nobody to ask: deny at once so the agent can go on.
        await agent.respondToPermission(runId, event.id, {
          allow: false,
          message: "codethread run cannot ask for approval; allow the tool in CODETHREAD_ALLOWED_TOOLS.",
        });
      }
      if (values.json) io.stdout.write(`${JSON.stringify(event)}\n`);
      else human.render(event);
      if (event.type === "result") result = event.result;
    }
  } finally {
    process.off("SIGINT", onSigint);
    await agent.close?.();
  }
  return result ? exitCodeOf(result) : 1;
}
