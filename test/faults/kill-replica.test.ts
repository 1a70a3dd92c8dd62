import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeBin, promptTexts } from "../claude/harness.js";
import { eventually } from "../claude/processes.js";
import { useBotFleet } from "../support/bot-fleet.js";
import { type BotProcess, processesWithEnv } from "../support/bot-processes.js";
import type { StoredMessage } from "../support/fake-slack.js";
import { type MockAnthropic, startMockAnthropic } from "../support/mock-anthropic.js";
import { waitUntil } from "../support/queue-fixtures.js";
import { Alice, Channel, SigningSecret } from "../support/slack-harness.js";
import { eventBody, nextTs, signedPost, slashForm } from "../support/slack-signing.js";

/**
 * kill -9 of the replica running a turn, with the real `claude` CLI against the mock LLM. Two bot
 * processes with separate data directories (so separate Claude config roots) on one PostgreSQL:
 * the survivor tells the thread "the bot restarted", no agent process of the dead replica is left,
 * and the next reply — on the survivor, which never had the transcript — resumes with the history.
 */
const Patience = 120_000;

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "kill -9 of the replica running a job (needs TEST_DATABASE_URL)",
  () => {
    let mock: MockAnthropic;
    beforeAll(async () => {
      mock = await startMockAnthropic();
    });
    afterAll(async () => {
      await mock?.close();
    });
    const fleet = useBotFleet("ct-kill-");

    const bot = async (name: string) => {
      const home = path.join(fleet.dir, `${name}-home`);
      mkdirSync(home, { recursive: true });
      return fleet.spawn(name, {
        env: {
          BOT_AGENT: "config",
          CODETHREAD_PROVIDERS: "claude-code",
          CODETHREAD_LEASE: "2s",
          CODETHREAD_WORKSPACE_DIR: path.join(fleet.dir, "work"), // one checkout path on every replica
          CLAUDE_BIN: claudeBin(),
          HOME: home,
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: "test-key-not-secret",
          CLAUDE_CODE_MAX_RETRIES: "0",
        },
      });
    };
    const post = (b: BotProcess, body: string, json: boolean) =>
      signedPost(b.url, body, {
        secret: SigningSecret,
        contentType: json ? "application/json" : "application/x-www-form-urlencoded",
      });
    const reply = (b: BotProcess, threadTs: string, text: string) =>
      post(
        b,
        eventBody("event.message.thread_reply.json", {
          text,
          ts: nextTs(),
          thread_ts: threadTs,
          user: Alice,
          channel: Channel,
        }),
        true,
      );
    const inThread = (threadTs: string, pred: (m: StoredMessage) => boolean, what: string) =>
      fleet.fake.waitFor(() => fleet.fake.thread(Channel, threadTs).find(pred), what, Patience);
    const transcripts = (b: BotProcess) => {
      const projects = path.join(b.dataDir, "claude");
      const found: string[] = [];
      const walk = (d: string) => {
        if (!existsSync(d)) return;
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(d, e.name));
          else if (e.name.endsWith(".jsonl")) found.push(e.name);
        }
      };
      walk(projects);
      return found;
    };

    it("the thread hears 'the bot restarted', nothing of the dead replica keeps running, the next reply resumes elsewhere", async () => {
      mkdirSync(path.join(fleet.dir, "work"), { recursive: true });
      const a = await bot("a");
      const ack = await post(a, slashForm({ text: "MOCK:bash remember the word avocado" }), false);
      expect(ack.status).toBe(200);
      const card = await fleet.fake.waitFor(
        () => fleet.fake.messages.find((m) => !m.threadTs && m.user === fleet.fake.botUserId),
        "the run card",
        Patience,
      );
      const first = await inThread(card.ts, (m) => m.ts !== card.ts && /Tool said/.test(m.text), "the first answer");

      // The second turn streams for minutes on replica a, the only one running.
      mock.requests.length = 0;
      await reply(a, card.ts, "MOCK:slow keep talking");
      await waitUntil(
        async () =>
          (await fleet.direct.query("SELECT 1 FROM jobs WHERE status = 'running'")).rowCount === 1 &&
          promptTexts(mock).includes("MOCK:slow keep talking"),
        "the second turn streaming on a",
        Patience,
      );
      const b = await bot("b");
      expect(transcripts(b)).toEqual([]); // b never saw this session
      expect(processesWithEnv(a.dataDir).length).toBeGreaterThan(0); // a's claude is running

      a.child.kill("SIGKILL");
      await a.exited;
      const notice = await inThread(card.ts, (m) => /interrupted/.test(m.text), "the interruption notice");
      expect(notice.text).toContain("interrupted: the bot restarted.");
      expect(notice.text).not.toMatch(/:\d+:[0-9a-f]{6}/); // no internal worker id
      expect(await eventually(() => processesWithEnv(a.dataDir).length === 0, 30_000)).toBe(true);

      mock.requests.length = 0;
      await reply(b, card.ts, "which word did I ask you to remember?");
      const answer = await inThread(
        card.ts,
        (m) => m.ts > notice.ts && m.text.startsWith("Hello from the mock model"),
        "the answer on b",
      );
      expect(answer.ts > first.ts).toBe(true);
      // Resumed, not started over: the model saw the first turn again.
      expect(promptTexts(mock)).toContain("MOCK:bash remember the word avocado");
      const jobs = () =>
        fleet.direct.query<{ holder: string; status: string }>("SELECT holder, status FROM jobs ORDER BY seq");
      // The answer is posted before the outcome is written: wait for the record.
      await waitUntil(async () => (await jobs()).rows.every((r) => r.status !== "running"), "the outcome recorded");
      const { rows } = await jobs();
      expect(rows.map((r) => r.status)).toEqual(["succeeded", "interrupted", "succeeded"]);
      expect(rows[2]!.holder).toContain(`:${b.child.pid}:`);
      expect(transcripts(b).length).toBeGreaterThan(0);
      expect(fleet.fake.violations).toEqual([]);
    }, 300_000);
  },
);
