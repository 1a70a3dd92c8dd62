import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../claude/harness.js";
import type { MockAnthropic } from "../support/mock-anthropic.js";
import { type RealClaudeSlack, startRealClaudeSlack } from "../support/real-claude-slack.js";
import { Alice, Channel, type SlackHarness } from "../support/slack-harness.js";

/**
 * A screenshot and a log shared with a mention reach a real `claude` run: the files are stored in
 * the run's working directory and named in the prompt; Claude Code reads each with its Read tool,
 * and the model (the mock) is sent the screenshot as an image content block and the log's text.
 */
let mock: MockAnthropic;
let sb: Sandbox;
let h: SlackHarness;
const Patience = 90_000;
const png = readFileSync(new URL("../fixtures/slack/screenshot.png", import.meta.url));
const log = "12:00:01 build started\n12:00:09 ERROR: cannot find module 'left-pad'\n";

let env: RealClaudeSlack | undefined;
beforeAll(async () => {
  env = await startRealClaudeSlack();
  ({ mock, sb, h } = env);
});
afterAll(async () => {
  await env?.stop();
});

type Block = Record<string, unknown>;
const toolResults = (): Block[] =>
  mock
    .turns()
    .flatMap((t) => t.messages)
    .flatMap((m) => (typeof m.content === "string" ? [] : m.content))
    .filter((b) => b.type === "tool_result");
const contentOf = (b: Block): Block[] =>
  Array.isArray(b.content) ? (b.content as Block[]) : [{ type: "text", text: b.content }];

describe("files shared with a mention, in a real claude run", () => {
  it("the model sees the screenshot as an image block and the log as text", async () => {
    mock.script = (turn) => {
      const files = [...turn.prompt.matchAll(/\.codethread\/attachments\/\S+/g)].map((m) => path.join(sb.cwd, m[0]));
      if (files.length !== 2) return undefined;
      if (turn.step < 2) return { tool: { kind: "read", path: files[turn.step]! } };
      return { text: "The build fails: left-pad is missing." };
    };
    const shot = h.fake.addUserFile({ user: Alice, name: "red build.png", mimetype: "image/png", content: png });
    const buildLog = h.fake.addUserFile({ user: Alice, name: "build.log", mimetype: "text/plain", content: log });
    const m = h.fake.addMessage({
      channel: Channel,
      user: Alice,
      text: `<@${h.fake.botUserId}> why is the build red?`,
      files: [shot, buildLog],
    });
    await h.event("event.app_mention.json", { text: m.text, ts: m.ts, user: Alice, channel: Channel });
    await h.fake.waitFor(
      () => h.fake.thread(Channel, m.ts).find((x) => x.text.startsWith("The build fails: left-pad is missing.")),
      "the answer",
      Patience,
    );
    const results = toolResults().flatMap(contentOf);
    const image = results.find((b) => b.type === "image");
    expect(image).toBeDefined();
    expect((image!.source as Block).media_type).toBe("image/png");
    expect(results.some((b) => b.type === "text" && String(b.text).includes("cannot find module 'left-pad'"))).toBe(
      true,
    );
  });
});
