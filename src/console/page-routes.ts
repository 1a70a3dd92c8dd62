import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { CodethreadError } from "../errors.js";
import type { Logger } from "../log.js";
import { ErrUnknown } from "./person.js";

/**
 * The console page's HTTP side: the page itself (static files from src/console/page, read once),
 * its live stream (SSE), its file downloads and the few POSTs it makes (say, click, add a
 * channel). Only for this machine: requests must name 127.0.0.1 or localhost as their Host (no
 * DNS rebinding), and POSTs must come from the page's own origin as JSON (another site's page
 * cannot make the console act).
 */
export const PageDir = new URL("./page/", import.meta.url);

const types: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
};

const Security = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/** Every file of the page, by name, read at start (a handful of small files). */
function loadPage(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(PageDir)) {
    const type = types[name.split(".").pop() ?? ""];
    if (type) files.set(name, { type, body: readFileSync(new URL(name, PageDir)) });
  }
  return files;
}

/** A file attached in the composer: its bytes as base64 (at most ~5 MB, a screenshot or a log). */
export const AttachedFile = z.object({
  name: z.string().min(1).max(255),
  mimetype: z.string().min(1).max(255),
  base64: z.string().max(7_000_000),
});
export const SayBody = z
  .object({
    channel: z.string().min(1),
    text: z.string().max(40_000),
    threadTs: z.string().optional(),
    files: z.array(AttachedFile).max(10).optional(),
  })
  .refine((b) => b.text.trim() !== "" || (b.files?.length ?? 0) > 0, { message: "say something or attach a file" });
export const StopBody = z.object({ channel: z.string().min(1), threadTs: z.string().min(1) });
export const ClickBody = z.object({
  channel: z.string().min(1),
  ts: z.string().min(1),
  actionId: z.string().min(1),
  value: z.string().optional(),
});
export const ChannelBody = z.object({ name: z.string().min(1).max(80) });

export interface PageHandlers {
  snapshot(): unknown;
  openStream(res: ServerResponse): void;
  file(id: string): { name: string; content: string; bytes?: Buffer; mimetype?: string } | undefined;
  say(b: z.infer<typeof SayBody>): Promise<unknown>;
  click(b: z.infer<typeof ClickBody>): Promise<unknown>;
  /** Slack's own stop button on a thread's agent session. */
  stop(b: z.infer<typeof StopBody>): Promise<unknown>;
  addChannel(b: z.infer<typeof ChannelBody>): unknown;
}

class ErrBadRequest extends CodethreadError {
  constructor(status: number, reason: string) {
    super("console_request", reason, { status });
  }
}

export function pageRoutes(h: PageHandlers, port: () => number, log: Logger) {
  const page = loadPage();
  const hosts = () => [`127.0.0.1:${port()}`, `localhost:${port()}`];

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...Security });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, "application/json", JSON.stringify(body));

  function checkPost(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (!origin || !hosts().some((h) => origin === `http://${h}`)) throw new ErrBadRequest(403, "foreign origin");
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw new ErrBadRequest(415, "not JSON");
  }

  function parse<T>(schema: z.ZodType<T>, raw: string): T {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ErrBadRequest(400, "body is not JSON");
    }
    const r = schema.safeParse(value);
    if (!r.success)
      throw new ErrBadRequest(400, r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    return r.data;
  }

  return async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://console.invalid");
    if (!hosts().includes(req.headers.host ?? "")) {
      send(res, 421, "text/plain", "The console answers only at 127.0.0.1 or localhost.");
      return true;
    }
    try {
      if (req.method === "GET") {
        if (url.pathname === "/") {
          const index = page.get("index.html")!;
          send(res, 200, index.type, index.body);
          return true;
        }
        const asset = /^\/console\/static\/([\w.-]+)$/.exec(url.pathname)?.[1];
        if (asset && page.has(asset)) {
          const f = page.get(asset)!;
          send(res, 200, f.type, f.body);
          return true;
        }
        if (url.pathname === "/console/events") {
          h.openStream(res);
          return true;
        }
        if (url.pathname === "/console/api/state") {
          json(res, 200, h.snapshot());
          return true;
        }
        const fileId = /^\/console\/files\/(F\w+)$/.exec(url.pathname)?.[1];
        const file = fileId ? h.file(fileId) : undefined;
        if (file) {
          res.setHeader("content-disposition", `inline; filename="${file.name.replace(/[^\w.-]/g, "_")}"`);
          // An image a person attached is shown as one; everything else as text (never as HTML).
          if (file.bytes && file.mimetype && /^image\/(png|jpeg|gif|webp)$/.test(file.mimetype))
            send(res, 200, file.mimetype, file.bytes);
          else send(res, 200, "text/plain; charset=utf-8", file.content);
          return true;
        }
        return false;
      }
      if (req.method === "POST" && url.pathname.startsWith("/console/api/")) {
        checkPost(req);
        const route = url.pathname.slice("/console/api/".length);
        if (route === "say") json(res, 200, await h.say(parse(SayBody, raw)));
        else if (route === "click") json(res, 200, await h.click(parse(ClickBody, raw)));
        else if (route === "stop") json(res, 200, await h.stop(parse(StopBody, raw)));
        else if (route === "channels") json(res, 200, h.addChannel(parse(ChannelBody, raw)));
        else return false;
        return true;
      }
      return false;
    } catch (err) {
      if (err instanceof ErrBadRequest) json(res, Number(err.context.status), { ok: false, error: err.message });
      else if (err instanceof ErrUnknown) json(res, 404, { ok: false, error: err.message });
      else {
        log.error({ err }, "console request failed");
        json(res, 500, { ok: false, error: "internal error" });
      }
      return true;
    }
  };
}
