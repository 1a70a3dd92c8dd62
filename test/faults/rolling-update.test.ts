import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useBotFleet } from "../support/bot-fleet.js";
import { type BotProcess, readRunLog } from "../support/bot-processes.js";
import {
  type BotRequest,
  cardsOf,
  FinalCard,
  finalTextOf,
  repliesOf,
  sendMention,
  sendSlash,
  toldNotTaken,
} from "../support/bot-requests.js";
import { waitUntil } from "../support/queue-fixtures.js";

/**
 * SIGTERM and rolling updates of whole bot processes (test/support/bot-process.ts: the real app, Bolt in
 * HTTP mode, the scripted TestAgent) on one PostgreSQL database, Slack being the fake Web API. The test
 * plays the Kubernetes Service: it sends each Slack request to a replica whose /readyz answered 200 at
 * its latest probe, as endpoints do. After each case every accepted request (ack 200) has exactly one
 * card, a final state and one reply in its thread; no run started twice; nothing is left queued or running.
 */
const Patience = 120_000;

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "SIGTERM and rolling updates on PostgreSQL (needs TEST_DATABASE_URL)",
  () => {
    const fleet = useBotFleet("ct-rollout-");
    const bot = (name: string, env: Record<string, string>) => fleet.spawn(name, { env });
    const readyz = (b: BotProcess) =>
      fetch(`${new URL(b.url).origin}/readyz`).then(
        (r) => r.status,
        () => "refused" as const,
      );
    const jobs = async () =>
      (
        await fleet.direct.query<{ status: string; holder: string | null; payload: { prompt?: string } }>(
          "SELECT status, holder, payload FROM jobs ORDER BY seq",
        )
      ).rows;
    const statusOf = async (tag: string) =>
      (await jobs()).find((j) => j.payload.prompt?.includes(`"tag":"${tag}"`))?.status;
    const startsByJob = () => {
      const starts = new Map<string, number>();
      for (const e of fleet.bots.flatMap(readRunLog))
        if (e.what === "start") starts.set(e.jobId, (starts.get(e.jobId) ?? 0) + 1);
      return starts;
    };
    const activeJobs = async () => (await jobs()).filter((j) => j.status === "queued" || j.status === "running").length;

    /** Exactly one card, ended, with exactly one reply of the bot under it; no run started twice. */
    async function checkEachEndedOnce(requests: BotRequest[], outcome: (r: BotRequest) => RegExp): Promise<void> {
      await waitUntil(
        async () =>
          requests.every(
            (r) => FinalCard.test(finalTextOf(fleet.fake, r) ?? "") && repliesOf(fleet.fake, r).length > 0,
          ) && (await activeJobs()) === 0,
        "every request to end",
        Patience,
      );
      for (const r of requests) {
        expect(cardsOf(fleet.fake, r), `cards of ${r.tag}`).toHaveLength(1);
        expect(finalTextOf(fleet.fake, r), r.tag).toMatch(outcome(r));
        expect(
          repliesOf(fleet.fake, r).map((m) => m.text),
          `replies of ${r.tag}`,
        ).toHaveLength(1);
        expect(toldNotTaken(fleet.fake, r), r.tag).toBe(false);
      }
      expect(
        [...startsByJob().values()].filter((n) => n > 1),
        "runs started twice",
      ).toEqual([]);
      expect(fleet.fake.violations).toEqual([]);
    }

    it("SIGTERM: unready first, requests still taken for the drain delay, a short run finishes within the grace, a long one is interrupted with its thread told, queued work waits for the next replica, exit 0", async () => {
      const release = path.join(fleet.dir, "release-short");
      const a = await bot("a", {
        CODETHREAD_CONCURRENCY: "2",
        CODETHREAD_STOP_GRACE: "8s",
        CODETHREAD_DRAIN_DELAY: "3s",
      });
      expect(await readyz(a)).toBe(200);
      const short = await sendSlash(fleet.fake, a.url, "short", { untilFile: release });
      const long = await sendSlash(fleet.fake, a.url, "long", { hang: true });
      await waitUntil(() => startsByJob().size === 2, "both runs started on a", Patience);
      const queued = await sendSlash(fleet.fake, a.url, "queued", { sleepMs: 100 }); // no room left on a
      expect([short.status, long.status, queued.status]).toEqual([200, 200, 200]);

      a.child.kill("SIGTERM");
      // The first answer that is not 200 is a 503 from a live server: unready before intake stops.
      let probe: number | "refused" = 200;
      while (probe === 200) probe = await readyz(a);
      expect(probe).toBe(503);
      // Still taken while the Service stops routing here, and left queued: a claims nothing now.
      const during = await sendMention(fleet.fake, a.url, "during-drain", { sleepMs: 100 });
      expect(during.status).toBe(200);
      writeFileSync(release, ""); // the short run ends now, inside the grace period

      expect(await a.exited).toBe(0);
      expect(await statusOf("short")).toBe("succeeded");
      expect(await statusOf("long")).toBe("interrupted");
      expect(await statusOf("queued")).toBe("queued");
      expect(await statusOf("during-drain")).toBe("queued");
      expect(finalTextOf(fleet.fake, short)).toMatch(/^Done:/);
      expect(finalTextOf(fleet.fake, long)).toMatch(/^Interrupted/);
      const [notice] = repliesOf(fleet.fake, long);
      expect(notice?.text).toContain("interrupted: the bot restarted.");
      expect(notice?.text).toContain("reply in this thread to continue");
      expect(a.output()).not.toMatch(/"level":(50|60)/); // nothing logged as an error

      // The next replica runs what a left in the queue, once.
      await bot("b", {});
      await checkEachEndedOnce([short, long, queued, during], (r) => (r.tag === "long" ? /^Interrupted/ : /^Done:/));
      expect((await jobs()).map((j) => j.status).sort()).toEqual([
        "interrupted",
        "succeeded",
        "succeeded",
        "succeeded",
      ]);
    }, 300_000);

    it("a rolling update of two replicas under load (surge one, SIGTERM one, twice): every accepted command ends once, nothing lost", async () => {
      const env = {
        CODETHREAD_CONCURRENCY: "2",
        CODETHREAD_LEASE: "5s",
        CODETHREAD_STOP_GRACE: "20s",
        CODETHREAD_DRAIN_DELAY: "2s",
      };
      const live: BotProcess[] = [await bot("old-1", env), await bot("old-2", env)];
      /** The Service's endpoints: replicas whose latest readiness probe answered 200. */
      const endpoints = new Set<BotProcess>();
      let probing = true;
      const prober = (async () => {
        while (probing) {
          await Promise.all(
            live.map(async (b) => {
              if ((await readyz(b)) === 200) endpoints.add(b);
              else endpoints.delete(b);
            }),
          );
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      const requests: BotRequest[] = [];
      let next = 0;
      let sending = true;
      const load = (async () => {
        while (sending) {
          const targets = [...endpoints];
          const target = targets[next % Math.max(1, targets.length)];
          if (!target) {
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          const n = next++;
          const script = { sleepMs: 200 + ((n * 397) % 1300) };
          requests.push(
            await (n % 4 === 3
              ? sendMention(fleet.fake, target.url, `m${n}`, script)
              : sendSlash(fleet.fake, target.url, `s${n}`, script)),
          );
          await new Promise((r) => setTimeout(r, 120));
        }
      })();
      const sent = (count: number) => waitUntil(() => requests.length >= count, `${count} requests sent`, Patience);

      await sent(8);
      for (const [i, old] of live.slice().entries()) {
        // maxSurge 1, maxUnavailable 0: the new pod is ready before the old one is told to stop.
        const fresh = await bot(`new-${i + 1}`, env);
        live.push(fresh);
        await waitUntil(() => endpoints.has(fresh), `new-${i + 1} in the endpoints`, Patience);
        const before = requests.length;
        old.child.kill("SIGTERM");
        await sent(before + 6); // commands keep arriving while it drains
        expect(await old.exited, `${old.name} exit code`).toBe(0);
        live.splice(live.indexOf(old), 1);
        endpoints.delete(old);
      }
      await sent(requests.length + 6);
      sending = false;
      await load;
      probing = false;
      await prober;

      expect(
        requests.filter((r) => r.status !== 200).map((r) => r.tag),
        "requests not accepted",
      ).toEqual([]);
      await checkEachEndedOnce(requests, () => /^Done:/);
      const all = await jobs();
      expect(all.map((j) => j.status).every((s) => s === "succeeded")).toBe(true);
      expect(all).toHaveLength(requests.length);
      // Both old replicas ran work and so did both new ones: the rollout really moved the load.
      const holders = new Set(all.map((j) => j.holder?.split(":")[1]));
      for (const b of fleet.bots) expect(holders.has(String(b.child.pid)), `${b.name} ran something`).toBe(true);
    }, 300_000);
  },
);
