/**
 * A worker thread of bench/embedded.ts: sends one round of signed requests at once and times each
 * HTTP answer. Slack's client does not share a loop with the Web API the bot calls right after its
 * acks, so neither does this one: on the bench's main thread the fake Slack (20 run cards posted
 * within milliseconds of the acks) and the mock LLM delayed reading the answers, and that delay
 * counted as ack latency. Before the first round it runs its own request path against a server of
 * its own (Slack's client is not cold; the bot must warm itself, so the bot is not involved), then
 * reports "ready".
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";

export interface AckRound {
  url: string;
  requests: { body: string; headers: Record<string, string> }[];
}
export type AckResult = { ok: true; ms: number[] } | { ok: false; error: string };

/** POST on a connection of its own (as Slack does); the time from the call to the last byte of the answer. */
function timedPost(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      url,
      { method: "POST", agent: false, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () =>
          res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`HTTP ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function warmUp(): Promise<void> {
  const server = createServer((req, res) => req.resume().on("end", () => res.end()));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  for (let wave = 0; wave < 3; wave++) {
    await Promise.all(Array.from({ length: 20 }, () => timedPost(url, "x=1", { "content-type": "text/plain" })));
  }
  await new Promise((r) => server.close(r));
}

await warmUp();
parentPort?.postMessage("ready");
parentPort?.on("message", (round: AckRound) => {
  Promise.all(round.requests.map((r) => timedPost(round.url, r.body, r.headers))).then(
    (ms) => parentPort?.postMessage({ ok: true, ms } satisfies AckResult),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: String(err) } satisfies AckResult),
  );
});
