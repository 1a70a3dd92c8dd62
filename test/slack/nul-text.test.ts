import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnreachable } from "../../src/store/retry.js";
import { databaseTargets, describeEachDatabase } from "../support/databases.js";
import { Alice, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * A NUL character in a prompt made the queue answer "the database did not answer, try again"
 * (PostgreSQL's JSON cannot hold \u0000, and the error was taken for an outage). NULs are never
 * meant in a prompt: they are removed, and the run goes ahead — on every database target.
 */
describeEachDatabase("a prompt with a NUL character", (target) => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start({ overrides: { db: await target.create() } });
    h.agent.script = (r) => ({ steps: [], answer: `ran: ${r.prompt}` });
  });
  afterAll(async () => {
    await h.stop();
  });

  it("runs from a slash command, without the NUL", async () => {
    await h.slash("fix\u0000 the build", { response_url: h.fake.responseUrl("nul") });
    const card = await h.waitForCard(1);
    await h.waitInThread(card.ts, (m) => m.text === "ran: fix the build", "the answer");
    expect(h.fake.responses.filter((r) => r.path === "/response/nul")).toEqual([]);
  });

  it("runs from a mention, without the NUL", async () => {
    const ts = nextTs();
    await h.event("event.app_mention.json", {
      text: `<@${h.fake.botUserId}> tidy\u0000 up`,
      ts,
      user: Alice,
      channel: Channel,
    });
    await h.waitInThread(ts, (m) => m.text === "ran: tidy up", "the answer");
    expect(h.fake.callsOf("chat.postEphemeral")).toEqual([]);
  });
});

describe("a failed enqueue tells an outage from a refusal", () => {
  it("a refused query is not 'the database did not answer'; a refused connection is", async () => {
    for (const target of databaseTargets()) {
      const db = await target.create();
      const refusal = await db.query(`SELECT $1::jsonb`, [JSON.stringify({ p: "a\u0000b" })]).catch((e: unknown) => e);
      expect(refusal, target.kind).toBeInstanceOf(Error);
      expect(isDatabaseUnreachable(refusal), target.kind).toBe(false);
      await db.close();
    }
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const client = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/none` });
    const outage = await client.connect().catch((e: unknown) => e);
    expect(isDatabaseUnreachable(outage)).toBe(true);
  });
});
