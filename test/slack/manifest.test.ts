import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AgentCommandName } from "../../src/handlers/slash-command.js";
import { ActionIds } from "../../src/slack/actions.js";

const json = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), "utf8")) as object;
/** Slack's dispatcher schema (shared/specs) refers to its v1 and v2 schemas by URL; we serve them locally. */
const schema = json("slack-manifest.schema.json");
const refBase = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/";
const manifestText = readFileSync(new URL("../../manifest.yml", import.meta.url), "utf8");

type Manifest = {
  features: { slash_commands: { command: string; should_escape?: boolean }[]; agent_view?: object };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
};

function validate(doc: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(json("manifest-v1.subset.schema.json"), `${refBase}manifest.schema.1.0.0.json`);
  ajv.addSchema({ not: {} }, `${refBase}manifest.schema.2.0.0.json`);
  const check = ajv.compile(schema);
  return check(doc) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe("manifest.yml", () => {
  const manifest = parse(manifestText) as Manifest;

  it("is valid against Slack's manifest schema", () => {
    expect(validate(manifest)).toEqual([]);
  });

  it("declares what the handlers use", () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([AgentCommandName]);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(["app_mention", "message.channels", "message.im"]),
    );
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        "commands",
        "chat:write",
        "app_mentions:read",
        "channels:history",
        "files:write",
        "files:read",
        "users:read",
      ]),
    );
    // Slack's native stop button on agent sessions, and the agent feature it belongs to.
    expect(manifest.settings.event_subscriptions.bot_events).toContain("agent_session_stopped");
    expect(manifest.features.agent_view).toBeDefined();
    // `/agent audit @alice` needs the user's id: Slack sends it only with escaping on.
    expect(manifest.features.slash_commands[0]?.should_escape).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(Object.values(ActionIds).length).toBe(5);
  });

  it("documents a Socket Mode variant that is valid too", () => {
    expect(manifestText).toContain("socket_mode_enabled: true");
    const socket = structuredClone(manifest) as Manifest & Record<string, unknown>;
    socket.settings.socket_mode_enabled = true;
    const s = socket as unknown as {
      features: { slash_commands: Record<string, unknown>[] };
      settings: Record<string, Record<string, unknown>>;
    };
    for (const c of s.features.slash_commands) delete c.url;
    delete s.settings.event_subscriptions!.request_url;
    delete s.settings.interactivity!.request_url;
    expect(validate(socket)).toEqual([]);
  });

  it("a schema violation is caught (the check is real)", () => {
    const broken = structuredClone(manifest) as unknown as { display_information: { name: string } };
    broken.display_information.name = "x".repeat(60);
    expect(validate(broken).length).toBeGreaterThan(0);
  });
});
