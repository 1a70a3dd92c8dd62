import { randomUUID } from "node:crypto";
import type { AgentRequest, PermissionPolicy } from "../request.js";

export interface CommandLine {
  args: string[];
  env: Record<string, string>;
  unsetEnv: string[];
  /** The session id we assigned (new sessions only). */
  newSessionId?: string;
  /** The prompt, sent on stdin as a stream-json user message (never in argv). */
  stdinPrompt: string;
}

export interface CommandLineOptions {
  model?: string;
  maxTurns?: number;
  configDir: string;
  tmpDir?: string;
}

function decimal(n: number): string {
  return n.toFixed(10).replace(/\.?0+$/, "");
}

function permissionArgs(policy: PermissionPolicy): string[] {
  switch (policy.mode) {
    case "allow-tools":
      return policy.tools.length ? ["--allowedTools", ...policy.tools] : [];
    case "ask":
      return [
        "--permission-prompt-tool",
        "stdio",
        ...(policy.allowTools?.length ? ["--allowedTools", ...policy.allowTools] : []),
      ];
    case "bypass":
      return ["--permission-mode", "bypassPermissions"];
    case "default":
      return [];
  }
}

/**
 * `claude -p --input-format stream-json --output-format stream-json --verbose …`, the prompt sent
 * on stdin as a stream-json user message. Always stdin, never argv: a prompt of any size, with
 * NUL or a leading `-`, stays intact; it never shows in the process table; and stdin stays open
 * for permission answers and the in-band interrupt (which, unlike SIGINT, always gets the
 * partial answer out of every supported CLI version). Variadic flags go last.
 */
export function buildCommandLine(request: AgentRequest, policy: PermissionPolicy, o: CommandLineOptions): CommandLine {
  const args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"];
  let newSessionId: string | undefined;
  if (request.sessionId) args.push("--resume", request.sessionId);
  else {
    newSessionId = randomUUID();
    args.push("--session-id", newSessionId);
  }
  const model = request.model ?? o.model;
  if (model) args.push("--model", model);
  const maxTurns = request.maxTurns ?? o.maxTurns;
  if (maxTurns !== undefined) args.push("--max-turns", String(maxTurns));
  // The CLI stops the run itself (result `error_max_budget_usd`); plain decimals, never `1e-7`.
  if (request.maxCostUsd !== undefined) args.push("--max-budget-usd", decimal(request.maxCostUsd));
  args.push(...permissionArgs(policy));

  const env: Record<string, string> = {
    CLAUDE_CONFIG_DIR: o.configDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  };
  if (o.tmpDir) env.CLAUDE_CODE_TMPDIR = o.tmpDir;
  const unsetEnv: string[] = [];
  if (policy.mode === "bypass") env.IS_SANDBOX = "1";
  else unsetEnv.push("IS_SANDBOX");
  return { args, env, unsetEnv, newSessionId, stdinPrompt: request.prompt };
}

/** One stream-json input line carrying a user message. */
export function userMessageLine(text: string): string {
  return `${JSON.stringify({ type: "user", message: { role: "user", content: text }, parent_tool_use_id: null, session_id: "" })}\n`;
}

/** The answer to a `can_use_tool` control request. */
export function permissionAnswerLine(requestId: string, allow: boolean, input: unknown, message?: string): string {
  const response = allow
    ? { behavior: "allow", updatedInput: input ?? {}, ...(message ? { message } : {}) }
    : { behavior: "deny", message: message ?? "Denied." };
  return `${JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: requestId, response } })}\n`;
}

/** In-band interrupt of the current turn (stream-json input only). */
export function interruptLine(requestId: string): string {
  return `${JSON.stringify({ type: "control_request", request_id: requestId, request: { subtype: "interrupt" } })}\n`;
}
