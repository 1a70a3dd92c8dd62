import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Alice, Channel, SlackHarness } from "../support/slack-harness.js";
import { fixture, nextTs } from "../support/slack-signing.js";

/**
 * Files shared with a request reach the agent: downloaded from url_private with the bot token,
 * stored in the thread's workspace under .codethread/attachments/, and named in the prompt. A
 * mention's event carries no files, so its message is looked up. Files over the size limit or of
 * a type the agent cannot read are skipped, and the thread says which and why.
 */
const png = readFileSync(new URL("../fixtures/slack/screenshot.png", import.meta.url));
const log = "12:00:01 build started\n12:00:09 ERROR: cannot find module 'left-pad'\n";

let h: SlackHarness;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "codethread-attach-"));
  h = await SlackHarness.start({
    env: { CODETHREAD_MAX_ATTACHMENT_MB: "1" },
    overrides: { worker: { pollMs: 50, leaseMs: 5_000, resolveWorkspace: () => ({ kind: "local", directory: dir }) } },
  });
});
beforeEach(() => h.reset());
afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const stored = (prompt: string) => [...prompt.matchAll(/\.codethread\/attachments\/\S+/g)].map((m) => m[0]);

describe("files shared with a request", () => {
  it("reach the agent from a thread reply's file_share event; what cannot go is named in the thread", async () => {
    h.agent.script = () => ({ steps: [], answer: "Looked at them." });
    const root = h.fake.addMessage({ channel: Channel, user: Alice, text: "the build is red" });
    const shot = h.fake.addUserFile({ user: Alice, name: "screen shot.png", mimetype: "image/png", content: png });
    const buildLog = h.fake.addUserFile({ user: Alice, name: "build.log", mimetype: "text/plain", content: log });
    const zip = h.fake.addUserFile({
      user: Alice,
      name: "node_modules.zip",
      mimetype: "application/zip",
      content: "PK",
    });
    const big = h.fake.addUserFile({
      user: Alice,
      name: "huge.log",
      mimetype: "text/plain",
      content: "x".repeat(2_000_000),
    });
    const ts = nextTs();
    const sample = fixture<{ event: Record<string, unknown> }>("MessageFileSharePayload.json").event;
    await h.event("event.message.thread_reply.json", {
      ...Object.fromEntries(Object.keys(sample).map((k) => [k, (sample as Record<string, unknown>)[k]])),
      type: "message",
      subtype: "file_share",
      text: `<@${h.fake.botUserId}> why does it fail?`,
      ts,
      thread_ts: root.ts,
      user: Alice,
      channel: Channel,
      channel_type: "channel",
      files: [shot, buildLog, zip, big].map((f) => h.fake.fileObject(f)),
    });
    await h.waitInThread(root.ts, (m) => m.text === "Looked at them.", "the answer");
    const prompt = h.agent.requests.at(-1)!.prompt;
    expect(prompt).toContain("why does it fail?");
    const paths = stored(prompt);
    expect(paths).toHaveLength(2);
    expect(readFileSync(path.join(dir, paths[0]!))).toEqual(png);
    expect(readFileSync(path.join(dir, paths[1]!), "utf8")).toBe(log);
    expect(prompt).toMatch(/image, image\/png.*shared as "screen shot\.png"/);
    expect(prompt).toContain('shared as "build.log"');
    // Downloaded with the bot token, each once; the skipped ones never.
    expect(h.fake.callsOf("url_private").map((c) => c.outcome)).toEqual(["ok", "ok"]);
    const skipped = await h.waitInThread(root.ts, (m) => m.text.includes("not passed to the agent"), "the skip notice");
    expect(skipped.text).toContain("`node_modules.zip`: files of type application/zip are not passed on");
    expect(skipped.text).toMatch(/`huge\.log`: it is 1\.9 ?MiB, over the limit of 1(\.0)? ?MiB/);
    // Never part of a commit.
    expect(readFileSync(path.join(dir, ".codethread/.gitignore"), "utf8")).toBe("*\n");
  });

  it("of a mention are found by looking the message up (its event has none)", async () => {
    h.agent.script = () => ({ steps: [], answer: "Read the log." });
    const buildLog = h.fake.addUserFile({ user: Alice, name: "ci.log", mimetype: "text/plain", content: log });
    const m = h.fake.addMessage({
      channel: Channel,
      user: Alice,
      text: `<@${h.fake.botUserId}>`,
      files: [buildLog],
    });
    await h.event("event.app_mention.json", {
      text: `<@${h.fake.botUserId}>`,
      ts: m.ts,
      user: Alice,
      channel: Channel,
    });
    await h.waitInThread(m.ts, (x) => x.text === "Read the log.", "the answer");
    expect(h.fake.callsOf("conversations.history")).toHaveLength(1);
    const prompt = h.agent.requests.at(-1)!.prompt;
    // A file shared without a word is a request about the file.
    expect(prompt).toMatch(/^Please look at the attached file\./);
    expect(readFileSync(path.join(dir, stored(prompt)[0]!), "utf8")).toBe(log);
  });

  it("that Slack will not hand over (no files:read) are named in the thread, and the run goes on", async () => {
    h.agent.script = () => ({ steps: [], answer: "Without the file." });
    const buildLog = h.fake.addUserFile({ user: Alice, name: "secret.log", mimetype: "text/plain", content: log });
    h.fake.fail("url_private", "missing_scope");
    const m = h.fake.addMessage({
      channel: Channel,
      user: Alice,
      text: `<@${h.fake.botUserId}> read it`,
      files: [buildLog],
    });
    await h.event("event.app_mention.json", { text: m.text, ts: m.ts, user: Alice, channel: Channel });
    const notice = await h.waitInThread(m.ts, (x) => x.text.includes("not passed to the agent"), "the notice");
    expect(notice.text).toContain("`secret.log`: Slack would not hand it over (the app needs the files:read scope)");
    const answer = await h.waitInThread(m.ts, (x) => x.text === "Without the file.", "the answer");
    expect(Number(answer.ts)).toBeGreaterThan(Number(notice.ts));
    expect(stored(h.agent.requests.at(-1)!.prompt)).toEqual([]);
  });
});
