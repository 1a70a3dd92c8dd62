import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import type { Database } from "../../src/store/database.js";
import { FakeSlack } from "../support/fake-slack.js";
import { openMigratedPGlite } from "../support/pglite-template.js";
import { ScriptedAgent } from "../support/slack-test-agent.js";

let fake: FakeSlack;
let db: Database;
// One database for the file (startApp leaves a database it is given open).
beforeAll(async () => {
  db = await openMigratedPGlite();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  fake = await new FakeSlack().start();
});
afterEach(async () => {
  await fake.stop();
});

const start = (env: Record<string, string>) =>
  startApp(loadConfig({ PORT: "0", HOST: "127.0.0.1", ...env }, "/"), silentLogger, {
    db,
    registry: new ProviderRegistry().register(new ScriptedAgent()),
    slackApiUrl: fake.apiUrl,
  });

describe("starting with tokens Slack refuses", () => {
  it("names the bot token when auth.test refuses it, and does not listen", async () => {
    fake.fail("auth.test", "invalid_auth");
    await expect(start({ SLACK_BOT_TOKEN: "xoxb-revoked", SLACK_SIGNING_SECRET: "s" })).rejects.toThrow(
      /Slack refused SLACK_BOT_TOKEN \(invalid_auth\): use the Bot User OAuth Token/,
    );
  });

  it("names the app token when Socket Mode cannot open a connection with it", async () => {
    // The fake answers apps.connections.open with invalid_auth unless a socket URL is configured.
    await expect(start({ SLACK_BOT_TOKEN: "xoxb-ok", SLACK_APP_TOKEN: "xapp-1-wrong" })).rejects.toThrow(
      /Slack refused SLACK_APP_TOKEN \(invalid_auth\): use an app-level token .* connections:write/,
    );
  });

  it("starts in HTTP mode when the bot token is accepted", async () => {
    const app = await start({ SLACK_BOT_TOKEN: "xoxb-ok", SLACK_SIGNING_SECRET: "s" });
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slack\/events$/);
    await app.stop();
  });
});
