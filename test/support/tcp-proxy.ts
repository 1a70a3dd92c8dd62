import net from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL), for outage tests that must never
 * touch the shared server itself. `cut()` is what clients see when the database restarts: every
 * open connection is dropped and new ones are refused (ECONNREFUSED) until `restore()`, which
 * listens on the same port again.
 */
export class TcpProxy {
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  #port = 0;
  /** Connections accepted so far (a test can check its clients really went through the proxy). */
  accepted = 0;

  private constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  /** Start a proxy to the host and port of `url` (a postgres:// URL). */
  static async forUrl(url: string): Promise<TcpProxy> {
    const u = new URL(url);
    const proxy = new TcpProxy(u.hostname || "127.0.0.1", Number(u.port || 5432));
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(this.#port);
    return u.toString();
  }

  get isCut(): boolean {
    return this.#server === undefined;
  }

  async #listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.address() as net.AddressInfo).port;
  }

  #accept(client: net.Socket): void {
    this.accepted++;
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
      s.on("error", () => undefined); // the other side is destroyed with it below
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drop every connection and refuse new ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accept connections again, on the same port. */
  async restore(): Promise<void> {
    if (this.#server) return;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#listen(this.#port);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
