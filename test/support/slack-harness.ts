import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { type AppOverrides, type RunningApp, startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { type Logger, silentLogger } from "../../src/log.js";
import { migrate } from "../../src/store/migrate.js";
import { FakeSlack, type FakeSlackOptions, type StoredMessage } from "./fake-slack.js";
import { openMigratedPGlite } from "./pglite-template.js";
import { actionForm, eventBody, signedPost, slashForm } from "./slack-signing.js";
import { ScriptedAgent } from "./slack-test-agent.js";

export const SigningSecret = "test-signing-secret";
export const Alice = "U0ALICE01";
export const Bob = "U0BOB0001";
export const Channel = "C0BUILDS1";

export interface HarnessOptions {
  env?: Record<string, string>;
  fake?: FakeSlackOptions;
  overrides?: AppOverrides;
  /** Where the app logs (default: nowhere); a capture lets a test grep the logs for secrets. */
  log?: Logger;
  /** Runs once the fake Web API is up, before the app starts (e.g. to set its Socket Mode URL). */
  beforeStart?: (fake: FakeSlack) => void;
}

/**
 * The real app (Bolt on 127.0.0.1, queue and worker on an in-memory PGlite) with a scripted
 * agent and the fake Slack Web API, plus helpers that send signed Slack requests.
 */
/** A step that never ends: a scripted run waits on it until it is cancelled. */
export const Forever = new Promise<void>(() => undefined);

export class SlackHarness {
  fake!: FakeSlack;
  app!: RunningApp;
  agent = new ScriptedAgent();

  static async start(o: HarnessOptions = {}): Promise<SlackHarness> {
    const h = new SlackHarness();
    h.fake = await new FakeSlack({ users: { [Alice]: "alice", [Bob]: "bob" }, ...o.fake }).start();
    o.beforeStart?.(h.fake);
    const db = o.overrides?.db ?? (await openMigratedPGlite());
    if (o.overrides?.db) await migrate(db);
    const env = {
      SLACK_BOT_TOKEN: "xoxb-testtok",
      SLACK_SIGNING_SECRET: SigningSecret,
      PORT: "0",
      HOST: "127.0.0.1",
      CODETHREAD_DATA_DIR: mkdtempSync(path.join(tmpdir(), "codethread-slack-")),
      LOG_LEVEL: "silent",
      ...o.env,
    };
    const config = loadConfig(env, process.cwd());
    h.#startApp = () =>
      startApp(config, o.log ?? silentLogger, {
        registry: new ProviderRegistry().register(h.agent),
        slackApiUrl: h.fake.apiUrl,
        progress: { cardIntervalMs: 50, updatesPerMinute: 600, burst: 20 },
        worker: { pollMs: 50, leaseMs: 5_000, resolveWorkspace: () => ({ kind: "local", directory: process.cwd() }) },
        stopGraceMs: 1_000,
        // The HTTP answer carries a command's quick reply whenever the bot acks within this, and these tests
        // read it there; a loaded CI machine must not move it to the response_url. The production deadline
        // (15 ms) and the late reply on the response_url are test/slack/front.test.ts's.
        ackDeadlineMs: 2_000,
        ...o.overrides,
        db,
      });
    h.app = await h.#startApp();
    return h;
  }

  #startApp!: () => Promise<RunningApp>;

  /** Stop the app (its running jobs are interrupted, as at a deploy) and start it again on the same database. */
  async restart(): Promise<void> {
    await this.app.stop();
    this.app = await this.#startApp();
  }

  /** Between tests sharing one harness (opening PGlite is slow): forget calls, failures and requests. */
  reset(): void {
    this.fake.clearFailures();
    this.fake.calls.length = 0;
    this.fake.responses.length = 0;
    this.fake.violations.length = 0;
    this.agent.requests.length = 0;
    this.agent.decisions.length = 0;
    this.agent.sessions.length = 0;
    this.agent.script = () => ({ steps: [], answer: "Done." });
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.app.db.close();
    await this.fake.stop();
  }

  post(
    body: string,
    contentType: "application/json" | "application/x-www-form-urlencoded",
    extra: { timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
  ) {
    return signedPost(this.app.url!, body, { secret: SigningSecret, contentType, ...extra });
  }

  /** `/agent <text>` as Slack sends it; resolves with the HTTP response (the ack). */
  slash(text: string, fields: Record<string, string> = {}) {
    const form = slashForm({
      text,
      response_url: this.fake.responseUrl(`cmd-${Math.random().toString(36).slice(2)}`),
      ...fields,
    });
    return this.post(form, "application/x-www-form-urlencoded");
  }

  /** An event delivery built from a sample; returns the raw body so a test can resend it. */
  async event(
    sample: string,
    event: Record<string, unknown>,
    envelope: Record<string, unknown> = {},
    headers?: Record<string, string>,
  ) {
    const body = eventBody(sample, event, envelope);
    const res = await this.post(body, "application/json", { headers });
    return { ...res, body };
  }

  click(p: Parameters<typeof actionForm>[0]) {
    return this.post(actionForm(p), "application/x-www-form-urlencoded");
  }

  /** Root messages the bot posted in a channel (run cards of slash commands), oldest first. */
  cards(channel = Channel): StoredMessage[] {
    return this.fake.messages.filter((m) => m.channel === channel && !m.threadTs && m.user === this.fake.botUserId);
  }

  async waitForCard(n = 1, channel = Channel): Promise<StoredMessage> {
    return this.fake.waitFor(() => this.cards(channel)[n - 1], `run card #${n}`);
  }

  /**
   * `/agent <prompt>` whose scripted run shows one tool use and then never ends (until cancelled):
   * resolves with its card once it says Running.
   */
  async startBlockedRun(prompt: string): Promise<StoredMessage> {
    const before = this.cards().length;
    this.agent.script = () => ({
      steps: [{ tool: "Bash", input: { command: "sleep 1000" }, summary: "Ran sleep 1000" }, { wait: Forever }],
    });
    await this.slash(prompt);
    const card = await this.waitForCard(before + 1);
    await this.waitForText(card.ts, /^Running/);
    return card;
  }

  /** Wait until a thread has a message matching `pred` (text or blocks). */
  async waitInThread(
    threadTs: string,
    pred: (m: StoredMessage) => boolean,
    what: string,
    channel = Channel,
  ): Promise<StoredMessage> {
    return this.fake.waitFor(() => this.fake.thread(channel, threadTs).find(pred), what);
  }

  /** Wait until the message's text (the card's status line) matches. */
  async waitForText(ts: string, re: RegExp, channel = Channel): Promise<StoredMessage> {
    return this.fake.waitFor(() => {
      const m = this.fake.message(channel, ts);
      return m && re.test(m.text) ? m : undefined;
    }, `message ${ts} to match ${re}`);
  }
}

export const blocksText = (m: StoredMessage | undefined): string => JSON.stringify(m?.blocks ?? "");
