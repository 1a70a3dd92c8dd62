import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalConsole, startConsole } from "../../src/console/console.js";
import { silentLogger } from "../../src/log.js";

/**
 * The console page's server without a bot behind it: what it serves, to whom, and what a
 * message typed on the page becomes.
 */
let local: LocalConsole;
let origin = "";

beforeAll(async () => {
  local = await startConsole({ port: 0, log: silentLogger, me: { id: "U0LOCALDEV", name: "dana" }, retryDelaysMs: [] });
  origin = local.url;
});
afterAll(() => local.stop());

const general = () => [...local.api.workspace.channels.values()].find((c) => c.name === "general")!;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${local.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin, ...headers },
    body: JSON.stringify(body),
  });

describe("console page server", () => {
  it("serves the page and its files from the package, with a strict content policy", async () => {
    const page = await fetch(local.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'; script-src 'self'/);
    const html = await page.text();
    for (const asset of html.matchAll(/\/console\/static\/([\w.-]+)/g)) {
      const res = await fetch(`${local.url}${asset[0]}`);
      expect(res.status, asset[1]).toBe(200);
    }
    const app = await fetch(`${local.url}/console/static/app.js`);
    expect(app.headers.get("content-type")).toMatch(/^text\/javascript/);
    // Every module the page imports is served too (no CDN, nothing from elsewhere).
    for (const name of [
      "view.js",
      "blocks.js",
      "mrkdwn.js",
      "markdown.js",
      "message.js",
      "composer.js",
      "dom.js",
      "emoji.js",
    ]) {
      const res = await fetch(`${local.url}/console/static/${name}`);
      expect(res.status, name).toBe(200);
      expect(await res.text()).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/);
    }
    expect((await fetch(`${local.url}/console/static/../console.ts`)).status).toBe(404);
  });

  it("answers only requests addressed to 127.0.0.1 or localhost, and POSTs only from its own page", async () => {
    const port = new URL(local.url).port;
    // fetch() may not set Host; a DNS-rebound page's request arrives with its own name in it.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/", headers: { host: `evil.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(rebound).toBe(421);
    const say = { channel: general().id, text: "hi" };
    expect((await post("/console/api/say", say, { origin: "http://evil.example" })).status).toBe(403);
    expect(
      (
        await fetch(`${local.url}/console/api/say`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        })
      ).status,
    ).toBe(403);
    expect((await post("/console/api/say", say, { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("/console/api/say", { channel: general().id })).status).toBe(400);
    expect((await post("/console/api/say", { channel: "C0NOSUCH", text: "x" })).status).toBe(404);
  });

  it("holds no secret: neither the snapshot nor the page carries the signing secret or the token", async () => {
    const state = await (await fetch(`${local.url}/console/api/state`)).text();
    const page = await (await fetch(local.url)).text();
    for (const secret of [local.credentials.signingSecret.reveal(), local.credentials.botToken.reveal()]) {
      expect(state).not.toContain(secret);
      expect(page).not.toContain(secret);
    }
    expect(local.credentials.botToken.reveal()).toMatch(/^xoxb-local-console-[0-9a-f]{48}$/);
    expect(JSON.parse(state)).toMatchObject({ me: { name: "dana" }, connected: false });
  });

  it("stores a typed message as Slack's client sends it: escaped, with mentions and channel links", async () => {
    const backend = [...local.api.workspace.channels.values()].find((c) => c.name === "backend")!;
    const res = await post("/console/api/say", { channel: general().id, text: "@codethread check <b> & #backend" });
    const { ts } = (await res.json()) as { ts: string };
    expect(local.api.message(general().id, ts)).toMatchObject({
      user: "U0LOCALDEV",
      text: `<@U0AGENTBOT> check &lt;b&gt; &amp; <#${backend.id}|backend>`,
    });
  });

  it("tells the person, as Slack does, about unknown commands, commands in threads and an app that is not there", async () => {
    const c = general().id;
    const notices = () => local.api.workspace.notices.map((n) => n.text);
    await post("/console/api/say", { channel: c, text: "/deploy now" });
    expect(notices().at(-1)).toMatch(/`\/deploy` is not a valid command/);
    const root = local.api.workspace.addMessage({ channel: c, user: "U0LOCALDEV", text: "root" });
    await post("/console/api/say", { channel: c, text: "/agent fix it", threadTs: root.ts });
    expect(notices().at(-1)).toMatch(/can't be used in a thread/);
    await post("/console/api/say", { channel: c, text: "/agent fix it" });
    expect(notices().at(-1)).toBe('/agent failed with the error "dispatch_failed"');
  });

  it("serves a shared file as plain text only", async () => {
    local.api.workspace.addFile({
      id: "F0TEST",
      name: "answer.md",
      title: "answer.md",
      filetype: "md",
      size: 9,
      content: "<script>",
    });
    const res = await fetch(`${local.url}/console/files/F0TEST`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toBe("<script>");
    expect((await fetch(`${local.url}/console/files/F0NONE`)).status).toBe(404);
  });

  it("shares a file attached on the page as Slack does, and sends Slack's stop button as its event", async () => {
    // A stand-in for the bot's /slack/events: what the console delivers to it.
    const received: Record<string, unknown>[] = [];
    const bot = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.end("");
      });
    });
    await new Promise<void>((r) => bot.listen(0, "127.0.0.1", r));
    local.connect(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`);
    try {
      const c = general().id;
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
      const res = await post("/console/api/say", {
        channel: c,
        text: "@codethread what is this?",
        files: [{ name: "shot.png", mimetype: "image/png", base64: png.toString("base64") }],
      });
      const { ts } = (await res.json()) as { ts: string };
      const events = () => received.map((b) => b.event as Record<string, unknown>);
      await local.api.waitFor(() => events().length >= 2, "the message and mention events");
      const message = events().find((e) => e.type === "message")!;
      expect(message).toMatchObject({
        subtype: "file_share",
        ts,
        files: [{ name: "shot.png", mimetype: "image/png", size: 7 }],
      });
      // As Slack's: the mention carries no files.
      expect(events().find((e) => e.type === "app_mention")?.files).toBeUndefined();
      // The file is served at its url_private to the bot token only, and shown on the page as the image it is.
      const file = (message.files as { id: string; url_private_download: string }[])[0]!;
      const download = await fetch(file.url_private_download, {
        headers: { authorization: `Bearer ${local.credentials.botToken.reveal()}` },
      });
      expect(Buffer.from(await download.arrayBuffer())).toEqual(png);
      const shown = await fetch(`${local.url}/console/files/${file.id}`);
      expect(shown.headers.get("content-type")).toBe("image/png");

      await post("/console/api/stop", { channel: c, threadTs: ts });
      await local.api.waitFor(() => events().some((e) => e.type === "agent_session_stopped"), "the stop event");
      expect(events().find((e) => e.type === "agent_session_stopped")).toMatchObject({
        channel: c,
        thread_ts: ts,
        user: "U0LOCALDEV",
      });
    } finally {
      bot.closeAllConnections();
      await new Promise<void>((r) => bot.close(() => r()));
    }
  });
});
