import { randomUUID } from "node:crypto";
import type { AgentRequest, PermissionPolicy } from "../request.js";

export interface CommandLine {
  args: string[];
  env: Record<string, string>;
  unsetEnv: string[];
  /** The session id we assigned (new sessions only). */
  newSessionId?: string;
  /** Set when the prompt goes through stdin as a stream-json user message. */
  stdinPrompt?: string;
  /** stdin carries the stream-json input protocol (prompt and/or permission answers). */
  streamInput: boolean;
}

export interface CommandLineOptions {
  model?: string;
  maxTurns?: number;
  configDir: string;
  /** Longest prompt passed as an argv string (the runner's limit). */
  maxArgvPromptBytes: number;
  tmpDir?: string;
}

/** A prompt may be an argv string only if it fits, has no NUL and cannot be mistaken for an option. */
export function promptFitsArgv(prompt: string, maxBytes: number): boolean {
  return Buffer.byteLength(prompt, "utf8") <= maxBytes && !prompt.includes("\0") && !prompt.startsWith("-");
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
 * `claude -p <prompt> --output-format stream-json --verbose …`: the prompt right after `-p`
 * (variadic flags such as --allowedTools would swallow it otherwise), or — when it is too long
 * for argv, or the policy asks a person — `--input-format stream-json` with the prompt sent on
 * stdin. Variadic flags go last.
 */
export function buildCommandLine(request: AgentRequest, policy: PermissionPolicy, o: CommandLineOptions): CommandLine {
  const ask = policy.mode === "ask";
  const viaArgv = !ask && promptFitsArgv(request.prompt, o.maxArgvPromptBytes);
  const streamInput = !viaArgv;
  const args = viaArgv ? ["-p", request.prompt] : ["-p", "--input-format", "stream-json"];
  args.push("--output-format", "stream-json", "--verbose");
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
  return { args, env, unsetEnv, newSessionId, stdinPrompt: viaArgv ? undefined : request.prompt, streamInput };
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
