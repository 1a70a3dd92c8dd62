import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ErrHttpBody, ErrHttpStatus, ErrHttpUnreachable } from "../../src/http/errors.js";
import { HttpJsonClient } from "../../src/http/json-client.js";

let server: Server;
let base: string;
const seen: { url: string; authorization?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization, body });
      const path = (req.url ?? "").split("?")[0];
      if (path === "/ok") return void res.writeHead(200, { "content-type": "application/json" }).end('{"id":7}');
      if (path === "/plain-error") return void res.writeHead(500).end("pq: duplicate key value violates unique");
      if (path === "/not-json") return void res.writeHead(200).end("<html>login</html>");
      if (path === "/wrong-shape") return void res.writeHead(200).end('{"id":"seven"}');
      if (path === "/empty") return void res.writeHead(204).end();
      if (path === "/hang") return; // never answers
      if (path === "/reset-once" || path === "/reset-always") {
        const resets = seen.filter((x) => x.url === req.url).length;
        if (path === "/reset-always" || resets === 1) return void req.socket.destroy();
        return void res.writeHead(200, { "content-type": "application/json" }).end('{"id":8}');
      }
      res.writeHead(404).end("");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const Id = z.object({ id: z.number() });

describe("HttpJsonClient", () => {
  it("sends a read once more when the connection breaks under it; a write, or a second break, is an error", async () => {
    const client = new HttpJsonClient({ service: "gitea", baseUrl: base });
    await expect(client.json("GET", "/reset-once", Id)).resolves.toEqual({ id: 8 });
    expect(seen.filter((x) => x.url === "/reset-once")).toHaveLength(2);
    await expect(client.json("GET", "/reset-always", Id)).rejects.toThrow(ErrHttpUnreachable);
    expect(seen.filter((x) => x.url === "/reset-always")).toHaveLength(2);
    await expect(client.json("POST", "/reset-always", Id, { body: {} })).rejects.toThrow(ErrHttpUnreachable);
    expect(seen.filter((x) => x.url === "/reset-always")).toHaveLength(3);
  });

  it("sends JSON with per-call headers and returns the parsed body", async () => {
    let n = 0;
    const client = new HttpJsonClient({
      service: "gitea",
      baseUrl: `${base}/`,
      headers: () => ({ authorization: `token t${++n}` }),
    });
    await expect(client.json("POST", "/ok", Id, { body: { name: "x" }, query: { page: 2 } })).resolves.toEqual({
      id: 7,
    });
    await client.json("GET", "/ok", Id);
    expect(seen.at(-2)).toMatchObject({ url: "/ok?page=2", authorization: "token t1", body: '{"name":"x"}' });
    expect(seen.at(-1)?.authorization).toBe("token t2");
  });

  it("names the service, method, path, status and a body excerpt of a refused call, but not the query", async () => {
    const client = new HttpJsonClient({ service: "woodpecker", baseUrl: base });
    const err = await client
      .text("POST", "/plain-error", { query: { access_token: "hidden" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrHttpStatus);
    const e = err as ErrHttpStatus;
    expect(e.status).toBe(500);
    expect(e.message).toBe("woodpecker POST /plain-error failed with 500: pq: duplicate key value violates unique");
    expect(JSON.stringify({ m: e.message, c: e.context })).not.toContain("hidden");
    expect((await client.text("DELETE", "/empty")).status).toBe(204);
  });

  it("reports a body that is not JSON or not the expected shape", async () => {
    const client = new HttpJsonClient({ service: "gitea", baseUrl: base });
    await expect(client.json("GET", "/not-json", Id)).rejects.toThrow(ErrHttpBody);
    const err = (await client.json("GET", "/wrong-shape", Id).catch((e: unknown) => e)) as ErrHttpBody;
    expect(err.message).toBe("gitea GET /wrong-shape returned an unexpected body");
    expect(err.context.issues).toEqual([expect.stringContaining("id")]);
  });

  it("bounds a silent server by the timeout and names an unreachable one", async () => {
    const client = new HttpJsonClient({ service: "gitea", baseUrl: base, timeoutMs: 200 });
    await expect(client.text("GET", "/hang")).rejects.toThrow(
      "gitea did not answer GET /hang: no answer within 200 ms",
    );
    const dead = new HttpJsonClient({ service: "gitea", baseUrl: "http://127.0.0.1:1" });
    await expect(dead.text("GET", "/x")).rejects.toBeInstanceOf(ErrHttpUnreachable);
  });

  it("lets a service map failures to its own errors", async () => {
    class Mine extends Error {}
    const client = new HttpJsonClient({ service: "x", baseUrl: base, errors: { status: () => new Mine("mine") } });
    await expect(client.text("GET", "/nothing-here")).rejects.toBeInstanceOf(Mine);
    await expect(client.text("GET", "/nothing-here", { accept: (s) => s === 404 })).resolves.toMatchObject({
      status: 404,
    });
  });
});
