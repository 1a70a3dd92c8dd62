import type { ServerResponse } from "node:http";

/**
 * Server-sent events to the console's open pages. Each page gets a snapshot when it connects,
 * then every change as it happens.
 *
 * Bound: a page whose connection has more than `MaxBufferedBytes` unsent (a stalled tab) is
 * disconnected instead of buffered without end; its EventSource reconnects by itself and starts
 * again from a fresh snapshot, so it misses nothing. A comment line every `HeartbeatMs` keeps
 * idle connections open.
 */
export const MaxBufferedBytes = 4 * 1024 * 1024;
const HeartbeatMs = 15_000;

export class SseHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor() {
    this.#heartbeat = setInterval(() => {
      for (const res of this.#clients) this.#write(res, ": keep-alive\n\n");
    }, HeartbeatMs);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Take over a GET request as an event stream; `first` is sent before anything else. */
  open(res: ServerResponse, first: { event: string; data: unknown }): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    this.#clients.add(res);
    res.on("close", () => this.#clients.delete(res));
    this.#write(res, frame(first.event, first.data));
  }

  broadcast(event: string, data: unknown): void {
    const text = frame(event, data);
    for (const res of this.#clients) this.#write(res, text);
  }

  #write(res: ServerResponse, text: string): void {
    if (res.writableLength > MaxBufferedBytes) {
      this.#clients.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
