import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AckFirst } from "../../src/slack/ack-first.js";

/** A server whose responses the test sends itself: `held` gets each request's response in arrival order. */
async function heldServer(
  gate: AckFirst,
): Promise<{ server: Server; held: ServerResponse[]; arrived: () => Promise<ServerResponse> }> {
  const server = createServer();
  gate.watch(server, "/slack/events");
  const held: ServerResponse[] = [];
  const waiting: ((res: ServerResponse) => void)[] = [];
  server.on("request", (req, res) => {
    req.resume();
    held.push(res);
    waiting.shift()?.(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, held, arrived: () => new Promise((r) => waiting.push(r)) };
}

function post(server: Server, path = "/slack/events"): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end("x");
  });
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe("work after an ack waits for the other acks", () => {
  it("starts once every request on the server has its answer, not before", async () => {
    const gate = new AckFirst(60_000);
    const { server, arrived } = await heldServer(gate);
    servers.push(server);
    const first = arrived();
    const a = post(server);
    const second = arrived();
    const b = post(server);
    const [resA, resB] = [await first, await second];
    resA.end("ok");
    expect(await a).toBe(200);
    let started = false;
    const work = gate.settled().then(() => {
      started = true;
    });
    // The first request is answered; the second still waits for its answer, and so does the work.
    await new Promise((r) => setImmediate(r));
    expect(gate.pending).toBe(1);
    expect(started).toBe(false);
    resB.end("ok");
    expect(await b).toBe(200);
    await work;
    expect(started).toBe(true);
    expect(gate.pending).toBe(0);
  });

  it("never waits longer than its bound, whatever is still unanswered", async () => {
    const gate = new AckFirst(20);
    const { server, arrived, held } = await heldServer(gate);
    servers.push(server);
    const got = arrived();
    const pending = post(server);
    await got;
    await gate.settled(); // resolves by the bound while the request is still open
    expect(gate.pending).toBe(1);
    for (const res of held) res.end("ok");
    await pending;
  });

  it("counts only Slack's endpoint: a slow health check or metrics scrape holds nothing", async () => {
    const gate = new AckFirst(60_000);
    const { server, arrived, held } = await heldServer(gate);
    servers.push(server);
    const got = arrived();
    const scrape = post(server, "/metrics");
    await got;
    expect(gate.pending).toBe(0);
    await gate.settled();
    for (const res of held) res.end("ok");
    await scrape;
  });

  it("does not wait at all when nothing is unanswered (Socket Mode: no server watched)", async () => {
    const gate = new AckFirst(60_000);
    await gate.settled();
    expect(gate.pending).toBe(0);
  });
});
