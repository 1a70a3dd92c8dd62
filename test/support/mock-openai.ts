import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type LlmReply, type LlmTurn, openaiToolCall, type ScriptableLlm } from "./scripted-llm.js";

/**
 * A scripted OpenAI-compatible LLM (POST /v1/chat/completions, streaming and not) for
 * driving the real `opencode serve` offline. Binds 127.0.0.1 on a free port.
 *
 * The reply is chosen from the last message of the request:
 * - no `tools` in the request: an auxiliary call (title, summary) → "Mock title";
 * - last message from a tool → `Tool <name> returned: <output>`;
 * - otherwise by a token in the last user message:
 *   `MOCK:bash <cmd>` → bash tool call; `MOCK:tool <name> <json>` → any tool call;
 *   `MOCK:slow <n>` → n text chunks 300 ms apart; `MOCK:hang` → one chunk, then nothing;
 *   `MOCK:error <status>` → that HTTP error; `MOCK:recall` → every user message so far;
 *   anything else → `Echo: <text>`.
 * Every request is recorded (`requests`), so tests assert on what OpenCode sent.
 * A `script` (scripted-llm.ts) set on the mock answers first, in terms every mock shares.
 */

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface RecordedRequest {
  model: string;
  stream: boolean;
  messages: ChatMessage[];
  tools: string[];
  /** Text of every user message, in order. */
  userTexts: string[];
}

export interface MockOpenAI extends ScriptableLlm {
  /** Base URL for an OpenAI-compatible provider, ending in /v1. */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

type Reply =
  | { kind: "text"; chunks: string[]; delayMs?: number }
  | { kind: "tool"; name: string; args: Record<string, unknown> }
  | { kind: "error"; status: number; message?: string }
  | { kind: "hang" };

export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p: unknown) => (p && typeof p === "object" && "text" in p && typeof p.text === "string" ? p.text : ""))
      .join("");
  }
  return "";
}

function split(text: string, size = 12): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
}

/** The request in the terms scripts share. */
function turnOf(req: RecordedRequest): LlmTurn {
  const lastUser = req.messages.map((m) => m.role).lastIndexOf("user");
  const after = req.messages.slice(lastUser + 1);
  const last = req.messages.at(-1);
  return {
    prompt: req.userTexts.at(-1) ?? "",
    prompts: req.userTexts,
    step: after.filter((m) => m.role === "assistant").length,
    toolOutput: last?.role === "tool" ? textOf(last.content) : undefined,
  };
}

function render(reply: LlmReply): Reply {
  if ("error" in reply) return { kind: "error", status: reply.error.status, message: reply.error.message };
  if ("tool" in reply) return { kind: "tool", ...openaiToolCall(reply.tool) };
  return { kind: "text", chunks: split(reply.text) };
}

function choose(req: RecordedRequest, mock: ScriptableLlm & { seen: LlmTurn[] }): Reply {
  if (req.tools.length === 0) return { kind: "text", chunks: ["Mock title"] };
  if (mock.script) {
    const turn = turnOf(req);
    mock.seen.push(turn);
    const reply = mock.script(turn);
    if (reply) return render(reply);
  }
  const last = req.messages.at(-1);
  if (last?.role === "tool") {
    const call = req.messages.flatMap((m) => m.tool_calls ?? []).find((c) => c.id === last.tool_call_id);
    return { kind: "text", chunks: split(`Tool ${call?.function.name ?? "?"} returned: ${textOf(last.content)}`) };
  }
  const text = req.userTexts.at(-1) ?? "";
  // `MOCK:tool` first: its JSON may carry another token (a subagent's prompt).
  let m = /MOCK:tool (\S+) (\{.*\})/s.exec(text);
  if (m) return { kind: "tool", name: m[1]!, args: JSON.parse(m[2]!) as Record<string, unknown> };
  m = /MOCK:bash (.+)/.exec(text);
  if (m) return { kind: "tool", name: "bash", args: { command: m[1]!.trim(), description: "Run a command" } };
  m = /MOCK:slow (\d+)/.exec(text);
  if (m) return { kind: "text", chunks: Array.from({ length: Number(m[1]) }, (_, i) => `tick ${i}. `), delayMs: 300 };
  if (text.includes("MOCK:hang")) return { kind: "hang" };
  m = /MOCK:error (\d{3})/.exec(text);
  if (m) return { kind: "error", status: Number(m[1]) };
  if (text.includes("MOCK:recall")) return { kind: "text", chunks: split(`Recall: ${req.userTexts.join(" | ")}`) };
  return { kind: "text", chunks: split(`Echo: ${text.trim()}`) };
}

let seq = 0;

function chunk(res: ServerResponse, id: string, model: string, choice: Record<string, unknown> | null, usage?: object) {
  const body = {
    id,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: choice ? [{ index: 0, ...choice }] : [],
    ...(usage ? { usage } : {}),
  };
  res.write(`data: ${JSON.stringify(body)}\n\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stream(res: ServerResponse, req: RecordedRequest, reply: Reply): Promise<void> {
  const id = `chatcmpl-mock-${++seq}`;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  chunk(res, id, req.model, { delta: { role: "assistant", content: "" }, finish_reason: null });
  if (reply.kind === "hang") {
    chunk(res, id, req.model, { delta: { content: "thinking…" }, finish_reason: null });
    return; // never ends; the client closes it (abort) or the server closes on shutdown
  }
  let finish = "stop";
  if (reply.kind === "tool") {
    const call = { index: 0, id: `call_mock_${seq}`, type: "function", function: { name: reply.name, arguments: "" } };
    chunk(res, id, req.model, { delta: { tool_calls: [call] }, finish_reason: null });
    const args = JSON.stringify(reply.args);
    chunk(res, id, req.model, {
      delta: { tool_calls: [{ index: 0, function: { arguments: args } }] },
      finish_reason: null,
    });
    finish = "tool_calls";
  } else if (reply.kind === "text") {
    for (const c of reply.chunks) {
      if (res.destroyed) return;
      chunk(res, id, req.model, { delta: { content: c }, finish_reason: null });
      if (reply.delayMs) await sleep(reply.delayMs);
    }
  }
  chunk(res, id, req.model, { delta: {}, finish_reason: finish });
  chunk(res, id, req.model, null, { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 });
  res.write("data: [DONE]\n\n");
  res.end();
}

function respondOnce(res: ServerResponse, req: RecordedRequest, reply: Reply): void {
  const message =
    reply.kind === "tool"
      ? {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_mock_1",
              type: "function",
              function: { name: reply.name, arguments: JSON.stringify(reply.args) },
            },
          ],
        }
      : { role: "assistant", content: reply.kind === "text" ? reply.chunks.join("") : "" };
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      id: `chatcmpl-mock-${++seq}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: req.model,
      choices: [{ index: 0, message, finish_reason: reply.kind === "tool" ? "tool_calls" : "stop" }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    }),
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startMockOpenAI(): Promise<MockOpenAI> {
  const requests: RecordedRequest[] = [];
  const scripting: ScriptableLlm & { seen: LlmTurn[] } = { seen: [] };
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === "GET" && req.url?.endsWith("/models")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data: [{ id: "mock-model", object: "model" }] }));
        return;
      }
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(await readBody(req)) as {
        model?: string;
        stream?: boolean;
        messages?: ChatMessage[];
        tools?: { function?: { name?: string } }[];
      };
      const messages = body.messages ?? [];
      const recorded: RecordedRequest = {
        model: body.model ?? "mock-model",
        stream: body.stream === true,
        messages,
        tools: (body.tools ?? []).map((t) => t.function?.name ?? "").filter(Boolean),
        userTexts: messages.filter((m) => m.role === "user").map((m) => textOf(m.content)),
      };
      requests.push(recorded);
      const reply = choose(recorded, scripting);
      if (reply.kind === "error") {
        res.writeHead(reply.status, { "content-type": "application/json" });
        const message = reply.message ?? `Mock provider error ${reply.status}`;
        res.end(JSON.stringify({ error: { message, type: "mock_error" } }));
        return;
      }
      if (recorded.stream) await stream(res, recorded, reply);
      else respondOnce(res, recorded, reply);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get script() {
      return scripting.script;
    },
    set script(script) {
      scripting.script = script;
    },
    seen: scripting.seen,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
