import { createHash, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

/**
 * A fake Socket Mode endpoint on 127.0.0.1: a minimal WebSocket server (RFC 6455 text, ping/pong
 * and close frames) that says `hello`, pushes envelopes (`slash_commands`, `events_api`,
 * `interactive`) and records the app's acks. The fake Web API's `apps.connections.open` returns `url`.
 */
export class FakeSocketMode {
  readonly acks: { envelope_id: string; payload?: unknown }[] = [];
  #server: Server | undefined;
  #sockets = new Set<Duplex>();
  url = "";

  async start(): Promise<this> {
    this.#server = createServer((_req, res) => res.writeHead(404).end());
    this.#server.on("upgrade", (req, socket) => {
      const key = String(req.headers["sec-websocket-key"] ?? "");
      const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => this.#sockets.delete(socket));
      let buffer = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const frame = readFrame(buffer);
          if (!frame) break;
          buffer = buffer.subarray(frame.size);
          if (frame.opcode === 0x9) socket.write(frameOf(0xa, frame.payload));
          else if (frame.opcode === 0x8) socket.end(frameOf(0x8, Buffer.alloc(0)));
          else if (frame.opcode === 0x1)
            this.acks.push(JSON.parse(frame.payload.toString("utf8")) as { envelope_id: string });
        }
      });
      this.#send(socket, {
        type: "hello",
        num_connections: 1,
        debug_info: { host: "fake" },
        connection_info: { app_id: "A0AGENTAPP" },
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/link`;
    return this;
  }

  get connected(): boolean {
    return this.#sockets.size > 0;
  }

  /** Push an envelope to every connected client; returns its envelope id. */
  push(type: "slash_commands" | "events_api" | "interactive", payload: unknown, retryAttempt = 0): string {
    const envelope_id = randomUUID();
    const envelope = {
      envelope_id,
      type,
      payload,
      accepts_response_payload: type !== "events_api",
      retry_attempt: retryAttempt,
      retry_reason: retryAttempt ? "timeout" : "",
    };
    for (const s of this.#sockets) this.#send(s, envelope);
    return envelope_id;
  }

  #send(socket: Duplex, message: unknown): void {
    socket.write(frameOf(0x1, Buffer.from(JSON.stringify(message))));
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

function frameOf(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

function readFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskBytes = masked ? 4 : 0;
  if (buf.length < offset + maskBytes + len) return undefined;
  const mask = buf.subarray(offset, offset + maskBytes);
  const payload = Buffer.from(buf.subarray(offset + maskBytes, offset + maskBytes + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { opcode, payload, size: offset + maskBytes + len };
}
