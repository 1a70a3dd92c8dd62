import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { anthropicToolUse, type LlmReply, type LlmTurn, type ScriptableLlm } from "./scripted-llm.js";

/**
 * A mock of the Anthropic Messages API for running the real `claude` CLI offline.
 * Binds 127.0.0.1 on a free port, answers `POST /v1/messages` with real SSE, and logs every
 * request so tests can assert what the CLI sent.
 *
 * Scripting: a `MOCK:<keyword>[=<arg>]` in the latest real user prompt picks the script; the
 * step is the number of assistant turns since that prompt.
 *   (none)          text answer "Hello from the mock model."
 *   bash            Bash `ls`, then a text answer quoting the tool result
 *   env             Bash `env` (the agent's environment), then a text answer
 *   longbash=N      Bash `echo long-tool-started && sleep N && echo long-tool-finished`
 *   write=PATH      Write PATH with "hello from mock\n", then text
 *   err500|err401|err429|err529|err400   that HTTP error
 *   slow            one text delta every 500 ms for several minutes
 *   echo            answers with the prompt's byte length
 * Requests without tools (side calls such as summaries) always get plain text.
 * A `script` (scripted-llm.ts) set on the mock answers first, in terms every mock shares.
 */

export interface LoggedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface MessagesBody {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
  messages: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
}

export interface MockAnthropic extends ScriptableLlm {
  url: string;
  requests: LoggedRequest[];
  /** The `/v1/messages` bodies that carried tools (the agent's own turns, not side calls). */
  turns(): MessagesBody[];
  /** Resolves once `n` deltas of `slow` replies have been sent (counted over the mock's life). */
  slowDeltas(n: number): Promise<void>;
  /** How many deltas of `slow` replies have been sent so far. */
  slowDeltasSent(): number;
  close(): Promise<void>;
}

/** Counts the deltas `slow` replies have sent, and tells whoever waits for a count. */
class SlowProgress {
  sent = 0;
  #waiters: { n: number; resolve: () => void }[] = [];
  tick(): void {
    this.sent++;
    const due = this.#waiters.filter((w) => w.n <= this.sent);
    this.#waiters = this.#waiters.filter((w) => w.n > this.sent);
    for (const w of due) w.resolve();
  }
  reached(n: number): Promise<void> {
    if (n <= this.sent) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
}

type Block = Record<string, unknown>;
type Reply = { status: number; error: string } | { blocks: Block[]; stop: "end_turn" | "tool_use"; slow?: boolean };

let counter = 0;
const id = (prefix: string) => `${prefix}_mock${Date.now().toString(36)}${(counter++).toString(36)}`;

function textOf(content: string | Array<Record<string, unknown>>): string {
  if (typeof content === "string") return content;
  return content
    .filter((b) => b.type === "text" && typeof b.text === "string" && !b.text.startsWith("<system-reminder>"))
    .map((b) => b.text as string)
    .join("\n");
}

function isPrompt(m: MessagesBody["messages"][number]): boolean {
  if (m.role !== "user") return false;
  if (typeof m.content === "string") return true;
  return m.content.some((b) => b.type === "text") && !m.content.some((b) => b.type === "tool_result");
}

/** The latest real prompt (its text), and how many assistant turns followed it. */
export function latestPrompt(body: MessagesBody): { text: string; step: number; lastToolResult?: Block } {
  const msgs = body.messages;
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m && isPrompt(m)) {
      const after = msgs.slice(i + 1);
      const last = after.at(-1);
      const lastToolResult =
        last && typeof last.content !== "string" ? last.content.find((b) => b.type === "tool_result") : undefined;
      return { text: textOf(m.content), step: after.filter((x) => x.role === "assistant").length, lastToolResult };
    }
  }
  return { text: "", step: 0 };
}

function toolResultText(block: Block | undefined): string {
  if (!block) return "";
  const c = block.content;
  const text = typeof c === "string" ? c : Array.isArray(c) ? textOf(c as Block[]) : "";
  return `${String(block.tool_use_id)}${block.is_error ? " (error)" : ""}: ${JSON.stringify(text.slice(0, 120))}`;
}

/** The request in the terms scripts share. */
function turnOf(body: MessagesBody): LlmTurn {
  const { text, step, lastToolResult } = latestPrompt(body);
  const c = lastToolResult?.content;
  const toolOutput = typeof c === "string" ? c : Array.isArray(c) ? textOf(c as Block[]) : undefined;
  return { prompt: text, prompts: body.messages.filter(isPrompt).map((m) => textOf(m.content)), step, toolOutput };
}

function render(reply: LlmReply): Reply {
  if ("error" in reply) return { status: reply.error.status, error: reply.error.message };
  if ("tool" in reply) {
    const { name, input } = anthropicToolUse(reply.tool);
    return {
      blocks: [
        ...(reply.text ? [{ type: "text", text: reply.text }] : []),
        { type: "tool_use", id: id("toolu"), name, input },
      ],
      stop: "tool_use",
    };
  }
  return { blocks: [{ type: "text", text: reply.text }], stop: "end_turn" };
}

function script(body: MessagesBody, mock: ScriptableLlm & { seen: LlmTurn[] }): Reply {
  if (!body.tools?.length) return { blocks: [{ type: "text", text: "Mock summary" }], stop: "end_turn" };
  if (mock.script) {
    const turn = turnOf(body);
    mock.seen.push(turn);
    const reply = mock.script(turn);
    if (reply) return render(reply);
  }
  const { text, step, lastToolResult } = latestPrompt(body);
  const m = /MOCK:([a-z0-9]+)(?:=(\S+))?/.exec(text);
  const kw = m?.[1];
  const arg = m?.[2];
  const done = (): Reply => ({
    blocks: [{ type: "text", text: `Done. Tool said: ${toolResultText(lastToolResult)}` }],
    stop: "end_turn",
  });
  const tool = (name: string, input: Block, say?: string): Reply => ({
    blocks: [...(say ? [{ type: "text", text: say }] : []), { type: "tool_use", id: id("toolu"), name, input }],
    stop: "tool_use",
  });
  if (kw?.startsWith("err")) return { status: Number(kw.slice(3)) || 500, error: `mock: ${kw.slice(3)} error` };
  switch (kw) {
    case "bash":
      return step === 0 ? tool("Bash", { command: "ls", description: "List files" }, "I will list the files.") : done();
    case "env":
      return step === 0 ? tool("Bash", { command: "env", description: "Print the environment" }) : done();
    case "longbash":
      return step === 0
        ? tool("Bash", {
            command: `echo long-tool-started && sleep ${Number(arg) || 600} && echo long-tool-finished`,
            description: "A long command",
            timeout: 600000,
          })
        : done();
    case "write":
      return step === 0
        ? tool("Write", { file_path: arg ?? "/tmp/mock-write.txt", content: "hello from mock\n" })
        : done();
    case "slow":
      return { blocks: [{ type: "text", text: "" }], stop: "end_turn", slow: true };
    case "echo":
      return {
        blocks: [{ type: "text", text: `Received ${Buffer.byteLength(text, "utf8")} bytes.` }],
        stop: "end_turn",
      };
    default:
      return { blocks: [{ type: "text", text: "Hello from the mock model." }], stop: "end_turn" };
  }
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

async function streamReply(
  res: ServerResponse,
  model: string,
  reply: Extract<Reply, { blocks: Block[] }>,
  slow?: SlowProgress,
): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": id("req") });
  const usage = { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 };
  sse(res, "message_start", {
    type: "message_start",
    message: {
      id: id("msg"),
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  });
  sse(res, "ping", { type: "ping" });
  let index = 0;
  for (const block of reply.blocks) {
    if (block.type === "text") {
      sse(res, "content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "text", text: "" },
      });
      if (reply.slow) {
        for (let i = 0; i < 600 && !res.destroyed; i++) {
          sse(res, "content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "text_delta", text: `slow ${i}. ` },
          });
          slow?.tick();
          await new Promise((r) => setTimeout(r, 500));
        }
      } else {
        sse(res, "content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "text_delta", text: block.text },
        });
      }
    } else {
      const { input, ...start } = block;
      sse(res, "content_block_start", { type: "content_block_start", index, content_block: { ...start, input: {} } });
      sse(res, "content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(input) },
      });
    }
    sse(res, "content_block_stop", { type: "content_block_stop", index });
    index++;
  }
  sse(res, "message_delta", {
    type: "message_delta",
    delta: { stop_reason: reply.stop, stop_sequence: null },
    usage: { output_tokens: 12 },
  });
  sse(res, "message_stop", { type: "message_stop" });
  res.end();
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let buf = Buffer.concat(chunks);
  const enc = String(req.headers["content-encoding"] ?? "");
  if (enc === "gzip") buf = gunzipSync(buf);
  else if (enc === "br") buf = brotliDecompressSync(buf);
  else if (enc === "deflate") buf = inflateSync(buf);
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    return buf.toString("utf8");
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const ErrorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  529: "overloaded_error",
};

export async function startMockAnthropic(): Promise<MockAnthropic> {
  const requests: LoggedRequest[] = [];
  const slow = new SlowProgress();
  const scripting: ScriptableLlm & { seen: LlmTurn[] } = { seen: [] };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers = { ...req.headers };
      if (headers["x-api-key"]) headers["x-api-key"] = "***";
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers, body });
      const path = (req.url ?? "").split("?")[0];
      if (req.method === "CONNECT") return json(res, 403, { error: "no outbound traffic" });
      if (req.method === "HEAD" || (req.method === "GET" && path === "/")) return json(res, 200, {});
      if (path === "/v1/models") return json(res, 200, { data: [], has_more: false });
      if (path === "/v1/messages/count_tokens") return json(res, 200, { input_tokens: 100 });
      if (path !== "/v1/messages" || req.method !== "POST") {
        return json(res, 404, { type: "error", error: { type: "not_found_error", message: "mock: not found" } });
      }
      const b = body as MessagesBody;
      const model = b.model ?? "claude-mock";
      const reply = script(b, scripting);
      if ("status" in reply) {
        const type = ErrorTypes[reply.status] ?? "api_error";
        return json(res, reply.status, { type: "error", error: { type, message: reply.error } });
      }
      if (b.stream === false) {
        return json(res, 200, {
          id: id("msg"),
          type: "message",
          role: "assistant",
          model,
          content: reply.blocks,
          stop_reason: reply.stop,
          stop_sequence: null,
          usage: { input_tokens: 100, output_tokens: 12 },
        });
      }
      await streamReply(res, model, reply, slow);
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { type: "error", error: { type: "api_error", message: "mock crashed" } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get script() {
      return scripting.script;
    },
    set script(script) {
      scripting.script = script;
    },
    seen: scripting.seen,
    requests,
    turns: () =>
      requests
        .filter((r) => r.url.startsWith("/v1/messages") && !r.url.includes("count_tokens"))
        .map((r) => r.body as MessagesBody)
        .filter((b) => Boolean(b?.tools?.length)),
    slowDeltas: (n) => slow.reached(n),
    slowDeltasSent: () => slow.sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
