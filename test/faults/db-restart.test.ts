import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useBotFleet } from "../support/bot-fleet.js";
import { type BotProcess, readRunLog } from "../support/bot-processes.js";
import {
  type BotRequest,
  cardsOf as cardsOfRequest,
  sendMention,
  sendSlash,
  toldNotTaken as toldNotTakenOf,
  visiblyDone as visiblyDoneOf,
} from "../support/bot-requests.js";
import { waitUntil } from "../support/queue-fixtures.js";
import { Channel } from "../support/slack-harness.js";
import { TcpProxy } from "../support/tcp-proxy.js";

/**
 * Two whole bot processes (separate data directories) on one PostgreSQL database, reached through a
 * TCP proxy the test cuts — what a database restart looks like from the bots; the shared server is
 * never touched. Slack is the fake Web API; the agent is the scripted TestAgent (JSON prompts).
 * After each case: every accepted request has a visible final outcome in its thread (or was
 * answered that it could not be taken), nothing ran twice, nothing is left `running`.
 */
const Patience = 120_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "bots on PostgreSQL while it restarts (needs TEST_DATABASE_URL)",
  () => {
    const fleet = useBotFleet("ct-faults-");
    let proxy: TcpProxy;
    beforeEach(async () => {
      proxy = await TcpProxy.forUrl(fleet.url);
    });
    afterEach(async () => {
      // Before the fleet's teardown (hooks run in reverse): nothing is left cut.
      await proxy.restore();
      await proxy.close();
    });

    const startBots = async (env: Record<string, string>) => {
      await Promise.all(["a", "b"].map((name) => fleet.spawn(name, { databaseUrl: proxy.url(fleet.url), env })));
    };
    const slash = async (bot: BotProcess, tag: string, script: object): Promise<BotRequest> => {
      const r = await sendSlash(fleet.fake, bot.url, tag, script);
      expect(r.status).toBe(200);
      return r;
    };
    const mention = async (bot: BotProcess, tag: string, script: object): Promise<BotRequest> => {
      const r = await sendMention(fleet.fake, bot.url, tag, script);
      expect(r.status).toBe(200);
      return r;
    };
    const cardsOf = (r: BotRequest) => cardsOfRequest(fleet.fake, r);
    const toldNotTaken = (r: BotRequest) => toldNotTakenOf(fleet.fake, r);
    const visiblyDone = (r: BotRequest) => visiblyDoneOf(fleet.fake, r);
    const activeJobs = async () =>
      (
        await fleet.direct.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running')",
        )
      ).rows[0]!.n;
    const startsByJob = () => {
      const starts = new Map<string, number>();
      for (const e of fleet.bots.flatMap(readRunLog))
        if (e.what === "start") starts.set(e.jobId, (starts.get(e.jobId) ?? 0) + 1);
      return starts;
    };

    async function checkEverythingEnded(requests: BotRequest[]): Promise<void> {
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
      expect(fleet.fake.violations).toEqual([]);
    }

    it("8 s cut during 6 runs, with commands and mentions sent during it: all of them run, once", async () => {
      await startBots({ CODETHREAD_LEASE: "2s", CODETHREAD_DB_RETRY: "60s" });
      const requests: BotRequest[] = [];
      for (let i = 0; i < 6; i++) requests.push(await slash(fleet.bots[i % 2]!, `before-${i}`, { sleepMs: 3_000 }));
      await waitUntil(() => startsByJob().size === 6, "6 runs in flight", Patience);

      await proxy.cut();
      const cutAt = Date.now();
      for (let i = 0; i < 3; i++) requests.push(await slash(fleet.bots[i % 2]!, `during-${i}`, { sleepMs: 200 }));
      for (let i = 0; i < 2; i++) requests.push(await mention(fleet.bots[i % 2]!, `mention-${i}`, { sleepMs: 200 }));
      await pause(8_000 - (Date.now() - cutAt));
      await proxy.restore();

      await checkEverythingEnded(requests);
      for (const r of requests) {
        expect(cardsOf(r), `card of ${r.tag}`).toHaveLength(1);
        expect(fleet.fake.message(Channel, cardsOf(r)[0]!.ts)?.text, r.tag).toMatch(/^Done:/);
        expect(toldNotTaken(r), r.tag).toBe(false);
      }
      const { rows } = await fleet.direct.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM jobs GROUP BY status",
      );
      expect(rows).toEqual([{ status: "succeeded", n: 11 }]);
      expect(startsByJob().size).toBe(11);
    }, 300_000);

    it("a cut longer than the retry budget: each request runs or is told it was not taken; nothing is left running", async () => {
      await startBots({ CODETHREAD_LEASE: "2s", CODETHREAD_DB_RETRY: "2s" });
      const requests: BotRequest[] = [];
      for (let i = 0; i < 4; i++) requests.push(await slash(fleet.bots[i % 2]!, `before-${i}`, { sleepMs: 2_500 }));
      await waitUntil(() => startsByJob().size === 4, "4 runs in flight", Patience);

      await proxy.cut();
      const cutAt = Date.now();
      for (let i = 0; i < 2; i++) requests.push(await slash(fleet.bots[i % 2]!, `during-${i}`, { sleepMs: 200 }));
      for (let i = 0; i < 2; i++) requests.push(await mention(fleet.bots[i % 2]!, `mention-${i}`, { sleepMs: 200 }));
      await pause(10_000 - (Date.now() - cutAt));
      await proxy.restore();

      await checkEverythingEnded(requests);
      // The requests sent during the cut could not be taken, and their senders heard so.
      for (const r of requests.filter((x) => !x.tag.startsWith("before-"))) expect(toldNotTaken(r), r.tag).toBe(true);
    }, 300_000);
  },
);
