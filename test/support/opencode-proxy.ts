import { type AddressInfo, createServer, Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, to break its SSE streams on purpose:
 * `drop()` cuts every open event stream; `freeze()` keeps them open but stops forwarding the
 * server's bytes (a silent stream). Plain HTTP calls and new connections work normally.
 */
export interface BreakingProxy {
  url: string;
  drop(): void;
  freeze(): void;
  close(): Promise<void>;
}

export async function startBreakingProxy(target: string): Promise<BreakingProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean; stream: boolean }>();
  const server = createServer((client) => {
    const upstream = new Socket();
    const pair = { client, upstream, frozen: false, stream: false };
    pairs.add(pair);
    upstream.connect(Number(port), hostname);
    client.on("data", (d: Buffer) => {
      if (/^GET \/(global\/)?event/.test(d.toString("latin1", 0, 32))) pair.stream = true;
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      if (!pair.frozen) client.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    drop() {
      for (const p of pairs) {
        if (!p.stream) continue;
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    freeze() {
      for (const p of pairs) if (p.stream) p.frozen = true;
    },
    close() {
      for (const p of pairs) p.client.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
