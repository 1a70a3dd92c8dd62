import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ReadinessCheck, readiness } from "./health.js";
import type { PromMetrics } from "./prom-metrics.js";

export interface OpsRoutesOptions {
  checks: ReadinessCheck[];
  metrics?: PromMetrics;
  /** True once the app is draining (SIGTERM): readiness fails so the Service stops sending traffic. */
  draining?: () => boolean;
}

export interface OpsRoute {
  path: "/healthz" | "/readyz" | "/metrics";
  method: "GET";
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * `/healthz` (the process answers), `/readyz` (database, Slack, at least one agent; 503 with the
 * failing checks otherwise, and while draining) and `/metrics` (Prometheus text). Served by a small
 * server of their own: on 127.0.0.1 behind the Slack front in HTTP mode (src/slack/front/), which
 * passes them through so they answer from the bot's loop; on the bot's port in Socket Mode.
 */
export function opsRoutes(options: OpsRoutesOptions): OpsRoute[] {
  const routes: OpsRoute[] = [
    { path: "/healthz", method: "GET", handler: async (_req, res) => json(res, 200, { ok: true }) },
    {
      path: "/readyz",
      method: "GET",
      handler: async (_req, res) => {
        if (options.draining?.()) return json(res, 503, { ready: false, draining: true });
        const report = await readiness(options.checks);
        json(res, report.ready ? 200 : 503, report);
      },
    },
  ];
  const metrics = options.metrics;
  if (metrics) {
    routes.push({
      path: "/metrics",
      method: "GET",
      handler: async (_req, res) => {
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { "content-type": contentType });
        res.end(body);
      },
    });
  }
  return routes;
}

/** The routes' own HTTP server (404 for anything else). */
export async function serveOpsRoutes(
  routes: OpsRoute[],
  port: number,
  host: string,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const route = routes.find((r) => r.path === path && req.method === r.method);
    if (!route) return void res.writeHead(404).end();
    route.handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}`,
    port: actual,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
