import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { doctorCommand } from "../../src/cli/commands/doctor.js";
import { DefaultBotScopes, SlackWebApi } from "../../src/console/slack-web-api.js";

/** `codethread doctor` against the Slack stand-in: the bot token's scopes as Slack names them on auth.test. */
async function doctor(apiUrl: string): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const cwd = mkdtempSync(path.join(tmpdir(), "doctor-slack-"));
  const code = await doctorCommand([], {
    stdout,
    stderr: new PassThrough(),
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: "xoxb-doctor",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: apiUrl,
      CODETHREAD_DATA_DIR: mkdtempSync(path.join(tmpdir(), "doctor-slack-data-")),
    },
    cwd,
  });
  return { code, out };
}

let api: SlackWebApi | undefined;
afterEach(() => api?.stop());

describe("codethread doctor: Slack scopes", () => {
  it("fails loudly when the bot token lacks files:read, and says what stops working", async () => {
    api = await new SlackWebApi({ scopes: DefaultBotScopes.filter((s) => s !== "files:read") }).start();
    const { code, out } = await doctor(api.apiUrl);
    expect(out).toMatch(/✗ slack scope files:read\s+The bot token lacks files:read: .*will NOT reach the agent/);
    expect(out).toContain("reinstall the app");
    expect(code).toBe(1);
  });

  it("is quiet about scopes when the token has them", async () => {
    api = await new SlackWebApi().start();
    const { out } = await doctor(api.apiUrl);
    expect(out).toMatch(/✓ slack scopes\s+files:read, users:read, files:write/);
    expect(out).not.toContain("lacks");
  });
});
