/**
 * One way to script a mock LLM that both mocks understand (mock-anthropic.ts for the `claude`
 * CLI, mock-openai.ts for `opencode serve`), so one test script drives every provider.
 *
 * A script sees each agent request in neutral terms (`LlmTurn`) and answers with a neutral
 * reply; each mock renders it in its own wire format (Anthropic SSE, OpenAI chunks) and names
 * tools as its agent does (`Bash` / `bash`, `file_path` / `filePath`). A script returning
 * undefined leaves the request to the mock's own `MOCK:` keywords.
 */

/** One request of the agent to the model, as the model sees it. */
export interface LlmTurn {
  /** Text of the latest user prompt. */
  prompt: string;
  /** Every user prompt in the request, oldest first: the conversation the model was given. */
  prompts: string[];
  /** Replies the model already gave since the latest prompt (0: the first reply to it). */
  step: number;
  /** Output of the tool result the request ends with, if it ends with one. */
  toolOutput?: string;
}

/** A tool call, named by what it does; each mock maps it to its agent's tool. */
export type ToolCall =
  | { kind: "shell"; command: string }
  | { kind: "read"; path: string }
  | { kind: "write"; path: string; content: string };

export type LlmReply =
  | { text: string }
  | { tool: ToolCall; text?: string }
  /** That HTTP status, with this message in the vendor's error body. */
  | { error: { status: number; message: string } };

export type LlmScript = (turn: LlmTurn) => LlmReply | undefined;

/** A mock that takes scripts: what a test sets and reads, whichever vendor it speaks. */
export interface ScriptableLlm {
  /** The script for the next requests (undefined: the mock's `MOCK:` keywords). */
  script?: LlmScript;
  /** Every agent request a script was asked about, in order. */
  readonly seen: LlmTurn[];
}

/** Anthropic's Messages API: tool names and inputs as Claude Code's built-in tools take them. */
export function anthropicToolUse(call: ToolCall): { name: string; input: Record<string, unknown> } {
  switch (call.kind) {
    case "shell":
      return { name: "Bash", input: { command: call.command, description: "Run a command" } };
    case "read":
      return { name: "Read", input: { file_path: call.path } };
    case "write":
      return { name: "Write", input: { file_path: call.path, content: call.content } };
  }
}

/** OpenAI-compatible chat completions: tool names and arguments as OpenCode's tools take them. */
export function openaiToolCall(call: ToolCall): { name: string; args: Record<string, unknown> } {
  switch (call.kind) {
    case "shell":
      return { name: "bash", args: { command: call.command, description: "Run a command" } };
    case "read":
      return { name: "read", args: { filePath: call.path } };
    case "write":
      return { name: "write", args: { filePath: call.path, content: call.content } };
  }
}
