import { afterEach, describe, expect, it } from "vitest";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import { FlakyDatabase } from "../support/flaky-database.js";
import { Alice, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * Slash commands and mentions that arrive while the database is away (in process: the real Bolt app
 * on a PGlite behind an outage stand-in; test/faults/db-restart.test.ts does it with PostgreSQL and
 * two processes). Each one runs once the database is back, or its sender is told it was not taken.
 */
let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(dbRetry: string): Promise<{ h: SlackHarness; db: FlakyDatabase }> {
  const db = new FlakyDatabase(await openPGlite());
  h = await SlackHarness.start({ env: { CODETHREAD_DB_RETRY: dbRetry }, overrides: { db } });
  return { h, db };
}
const mention = (harness: SlackHarness, text: string) => {
  const ts = nextTs();
  return harness
    .event("event.app_mention.json", {
      text: `<@${harness.fake.botUserId}> ${text}`,
      ts,
      user: Alice,
      channel: Channel,
    })
    .then(() => ts);
};

describe("Slack requests during a database outage", () => {
  it("sent during a short outage: both run once the database is back", async () => {
    const { h, db } = await start("60s");
    db.cut();
    expect((await h.slash("fix the build")).status).toBe(200);
    const ts = await mention(h, "and the docs");
    await h.fake.waitFor(() => db.refused >= 4, "the requests to meet the outage");
    db.restore();

    const card = await h.waitForCard();
    await h.waitForText(card.ts, /^Done:/);
    await h.waitInThread(ts, (m) => /^Done:/.test(m.text), "the mention's card, done");
    expect(h.agent.requests.map((r) => r.prompt).sort()).toEqual(["and the docs", "fix the build"]);
    expect(h.fake.responses).toEqual([]);
    expect(h.fake.callsOf("chat.postEphemeral")).toEqual([]);
  });

  it("past the retry budget: the sender hears the request was not taken, and nothing runs", async () => {
    const { h, db } = await start("1s");
    db.cut();
    await h.slash("fix the build");
    const ts = await mention(h, "and the docs");
    const told = /could not take this request: my database did not answer/;
    await h.fake.waitFor(() => h.fake.responses.find((r) => told.test(String(r.body.text))), "the slash reply");
    await h.fake.waitFor(
      () =>
        h.fake
          .callsOf("chat.postEphemeral")
          .find((c) => c.params.thread_ts === ts && c.params.user === Alice && told.test(String(c.params.text))),
      "the ephemeral in the mention's thread",
    );
    db.restore();
    expect(h.agent.requests).toEqual([]);
    expect(h.cards()).toEqual([]);
  });
});
