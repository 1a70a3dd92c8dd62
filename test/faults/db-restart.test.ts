import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/store/adapters/postgres.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { type BotProcess, killBots, readRunLog, spawnBot } from "../support/bot-processes.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { FakeSlack, type StoredMessage } from "../support/fake-slack.js";
import { waitUntil } from "../support/queue-fixtures.js";
import { Alice, Channel, SigningSecret } from "../support/slack-harness.js";
import { eventBody, nextTs, signedPost, slashForm } from "../support/slack-signing.js";
import { TcpProxy } from "../support/tcp-proxy.js";

/**
 * Two whole bot processes (separate data directories) on one PostgreSQL database, reached through a
 * TCP proxy the test cuts — what a database restart looks like from the bots; the shared server is
 * never touched. Slack is the fake Web API; the agent is the scripted TestAgent (JSON prompts).
 * After each case: every accepted request has a visible final outcome in its thread (or was
 * answered that it could not be taken), nothing ran twice, nothing is left `running`.
 */
const Patience = 120_000;
const finalCard = /^(Done|Failed|Cancelled|Timed out|Interrupted):/;
const notTaken = /could not take this request/;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Request = { kind: "slash"; tag: string; responseId: string } | { kind: "mention"; tag: string; ts: string };

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "bots on PostgreSQL while it restarts (needs TEST_DATABASE_URL)",
  () => {
    let url: string;
    let drop: () => Promise<void>;
    let direct: Database;
    let proxy: TcpProxy;
    let fake: FakeSlack;
    let dir: string;
    let bots: BotProcess[];

    beforeEach(async () => {
      ({ url, drop } = await freshPostgresDatabase());
      direct = await openPostgres(url, { maxConnections: 2 });
      await migrate(direct);
      proxy = await TcpProxy.forUrl(url);
      fake = await new FakeSlack().start();
      dir = mkdtempSync(path.join(tmpdir(), "ct-faults-"));
      bots = [];
    });
    afterEach(async () => {
      await proxy.restore();
      await killBots(bots);
      await proxy.close();
      await fake.stop();
      await direct.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const startBots = async (env: Record<string, string>) => {
      bots = await Promise.all(
        ["a", "b"].map((name) => spawnBot(name, { dir, databaseUrl: proxy.url(url), slackApiUrl: fake.apiUrl, env })),
      );
    };
    const slash = async (bot: BotProcess, tag: string, script: object): Promise<Request> => {
      const responseId = `cmd-${tag}`;
      const form = slashForm({ text: JSON.stringify({ ...script, tag }), response_url: fake.responseUrl(responseId) });
      const ack = await signedPost(bot.url, form, {
        secret: SigningSecret,
        contentType: "application/x-www-form-urlencoded",
      });
      expect(ack.status).toBe(200);
      return { kind: "slash", tag, responseId };
    };
    const mention = async (bot: BotProcess, tag: string, script: object): Promise<Request> => {
      const ts = nextTs();
      const body = eventBody("event.app_mention.json", {
        text: `<@${fake.botUserId}> ${JSON.stringify({ ...script, tag })}`,
        ts,
        event_ts: ts,
        user: Alice,
        channel: Channel,
      });
      const ack = await signedPost(bot.url, body, { secret: SigningSecret, contentType: "application/json" });
      expect(ack.status).toBe(200);
      return { kind: "mention", tag, ts };
    };

    /** The run cards posted for a request (exactly one is expected). */
    const cardsOf = (r: Request): StoredMessage[] =>
      fake.messages.filter(
        (m) =>
          m.user === fake.botUserId &&
          m.channel === Channel &&
          (r.kind === "slash" ? !m.threadTs : m.threadTs === r.ts) &&
          /asked:/.test(JSON.stringify(m.blocks ?? "")) &&
          JSON.stringify(m.blocks ?? "").includes(`\\"tag\\":\\"${r.tag}\\"`),
      );
    /** Told the request was not taken: ephemeral through response_url (slash) or in the thread (mention). */
    const toldNotTaken = (r: Request): boolean =>
      r.kind === "slash"
        ? fake.responses.some((x) => x.path.endsWith(`/${r.responseId}`) && notTaken.test(String(x.body.text)))
        : fake
            .callsOf("chat.postEphemeral")
            .some(
              (c) => c.params.thread_ts === r.ts && c.params.user === Alice && notTaken.test(String(c.params.text)),
            );
    /** A final state the requester can see: a finished card with a reply under it, or "not taken". */
    const visiblyDone = (r: Request): boolean => {
      const [card] = cardsOf(r);
      if (!card) return toldNotTaken(r);
      const ended = finalCard.test(fake.message(Channel, card.ts)?.text ?? "");
      const replied = fake.thread(Channel, r.kind === "slash" ? card.ts : r.ts).some((m) => m.ts > card.ts);
      return ended && replied;
    };
    const activeJobs = async () =>
      (await direct.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running')"))
        .rows[0]!.n;
    const startsByJob = () => {
      const starts = new Map<string, number>();
      for (const e of bots.flatMap(readRunLog))
        if (e.what === "start") starts.set(e.jobId, (starts.get(e.jobId) ?? 0) + 1);
      return starts;
    };

    async function checkEverythingEnded(requests: Request[]): Promise<void> {
      await waitUntil(
        async () => requests.every(visiblyDone) && (await activeJobs()) === 0,
        "every request to end",
        Patience,
      );
      for (const r of requests) expect(cardsOf(r).length, `cards of ${r.tag}`).toBeLessThanOrEqual(1);
      const starts = startsByJob();
      expect(
        [...starts.values()].filter((n) => n > 1),
        "runs started twice",
      ).toEqual([]);
      expect(fake.violations).toEqual([]);
    }

    it("8 s cut during 6 runs, with commands and mentions sent during it: all of them run, once", async () => {
      await startBots({ CODETHREAD_LEASE: "2s", CODETHREAD_DB_RETRY: "60s" });
      const requests: Request[] = [];
      for (let i = 0; i < 6; i++) requests.push(await slash(bots[i % 2]!, `before-${i}`, { sleepMs: 3_000 }));
      await waitUntil(() => startsByJob().size === 6, "6 runs in flight", Patience);

      await proxy.cut();
      const cutAt = Date.now();
      for (let i = 0; i < 3; i++) requests.push(await slash(bots[i % 2]!, `during-${i}`, { sleepMs: 200 }));
      for (let i = 0; i < 2; i++) requests.push(await mention(bots[i % 2]!, `mention-${i}`, { sleepMs: 200 }));
      await pause(8_000 - (Date.now() - cutAt));
      await proxy.restore();

      await checkEverythingEnded(requests);
      for (const r of requests) {
        expect(cardsOf(r), `card of ${r.tag}`).toHaveLength(1);
        expect(fake.message(Channel, cardsOf(r)[0]!.ts)?.text, r.tag).toMatch(/^Done:/);
        expect(toldNotTaken(r), r.tag).toBe(false);
      }
      const { rows } = await direct.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM jobs GROUP BY status",
      );
      expect(rows).toEqual([{ status: "succeeded", n: 11 }]);
      expect(startsByJob().size).toBe(11);
    }, 300_000);

    it("a cut longer than the retry budget: each request runs or is told it was not taken; nothing is left running", async () => {
      await startBots({ CODETHREAD_LEASE: "2s", CODETHREAD_DB_RETRY: "2s" });
      const requests: Request[] = [];
      for (let i = 0; i < 4; i++) requests.push(await slash(bots[i % 2]!, `before-${i}`, { sleepMs: 2_500 }));
      await waitUntil(() => startsByJob().size === 4, "4 runs in flight", Patience);

      await proxy.cut();
      const cutAt = Date.now();
      for (let i = 0; i < 2; i++) requests.push(await slash(bots[i % 2]!, `during-${i}`, { sleepMs: 200 }));
      for (let i = 0; i < 2; i++) requests.push(await mention(bots[i % 2]!, `mention-${i}`, { sleepMs: 200 }));
      await pause(10_000 - (Date.now() - cutAt));
      await proxy.restore();

      await checkEverythingEnded(requests);
      // The requests sent during the cut could not be taken, and their senders heard so.
      for (const r of requests.filter((x) => !x.tag.startsWith("before-"))) expect(toldNotTaken(r), r.tag).toBe(true);
    }, 300_000);
  },
);
