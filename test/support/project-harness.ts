import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AppOverrides } from "../../src/app.js";
import { createLogger, type Logger } from "../../src/log.js";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import type { StoredMessage } from "./fake-slack.js";
import { ForgeWorld } from "./forge/forge-world.js";
import { Alice, SlackHarness } from "./slack-harness.js";

/** The text of a message's blocks (sections and context), one block a line. */
export function blockLines(m: StoredMessage | undefined): string {
  const blocks = (m?.blocks ?? []) as { text?: { text?: string }; elements?: { text?: string }[] }[];
  return blocks.map((b) => b.text?.text ?? (b.elements ?? []).map((e) => e.text ?? "").join(" ")).join("\n");
}

/**
 * The real app (Bolt with signed requests, queue, worker) against the fake Slack and, unless
 * `forge: false`, the Gitea and Woodpecker fakes; Alice is an admin. Every log line is kept.
 */
export class ProjectHarness {
  readonly logLines: string[] = [];
  readonly log: Logger = createLogger({
    level: "trace",
    destination: { write: (line: string) => void this.logLines.push(line) },
  });
  readonly dataDir = mkdtempSync(path.join(tmpdir(), "codethread-projects-"));
  h!: SlackHarness;
  world?: ForgeWorld;
  db!: Database;

  static async start(
    options: { forge?: boolean; env?: Record<string, string>; overrides?: AppOverrides } = {},
  ): Promise<ProjectHarness> {
    const p = new ProjectHarness();
    p.db = await openPGlite();
    await migrate(p.db);
    let servers: Record<string, string> = {};
    if (options.forge !== false) {
      p.world = await ForgeWorld.start({ db: p.db });
      servers = {
        GITEA_URL: p.world.gitea.url,
        GITEA_TOKEN: p.world.gitea.botToken,
        WOODPECKER_URL: p.world.wp.url,
        WOODPECKER_API_TOKEN: p.world.wp.token,
      };
    }
    p.h = await SlackHarness.start({
      log: p.log,
      env: { CODETHREAD_DATA_DIR: p.dataDir, CODETHREAD_ADMINS: Alice, LOG_LEVEL: "trace", ...servers, ...options.env },
      overrides: {
        db: p.db,
        worker: { pollMs: 50, leaseMs: 5_000 },
        projects: { watch: { initialDelayMs: 5, maxDelayMs: 20 } },
        ciWatch: { initialDelayMs: 20, maxDelayMs: 100 },
        ...options.overrides,
      },
    });
    return p;
  }

  /**
   * `/agent <text>`; resolves with the answer the person sees: the ack's ephemeral text, or (a
   * command that acknowledged first) the first post to the command's response_url.
   */
  async slash(text: string, fields: Record<string, string> = {}): Promise<string> {
    const id = `cmd-${++this.#commands}`;
    const ack = await this.h.slash(text, { response_url: this.h.fake.responseUrl(id), ...fields });
    const acked = ack.text ? ((JSON.parse(ack.text) as { text?: string }).text ?? "") : "";
    if (acked) return acked;
    const posted = await this.h.fake.waitFor(
      () => this.h.fake.responses.find((r) => r.path === `/response/${id}`),
      `the answer to ${text}`,
    );
    return String(posted.body.text ?? "");
  }

  #commands = 0;

  /** The n-th root message the bot posted in the channel (1-based). */
  card(n: number): Promise<StoredMessage> {
    return this.h.waitForCard(n);
  }

  /** Wait (up to a minute: a first build clones and runs) until the card's blocks match. */
  async cardMatching(ts: string, re: RegExp): Promise<StoredMessage> {
    return this.h.fake.waitFor(
      () => {
        const m = this.h.fake.messages.find((x) => x.ts === ts);
        return m && re.test(blockLines(m)) ? m : undefined;
      },
      `card ${ts} to match ${re}`,
      60_000,
    );
  }

  /** Wait for a message in the card's thread whose blocks match. */
  async inThread(ts: string, re: RegExp): Promise<StoredMessage> {
    return this.h.fake.waitFor(
      () => this.h.fake.messages.find((m) => m.threadTs === ts && re.test(blockLines(m))),
      `a message in thread ${ts} matching ${re}`,
      60_000,
    );
  }

  /** Everything that left the app towards Slack, and every log line: nothing of it may hold a secret. */
  recorded(): string {
    return JSON.stringify([this.h.fake.calls, this.h.fake.responses, this.h.fake.messages]) + this.logLines.join("");
  }

  async stop(): Promise<void> {
    await this.h.stop(); // closes the database too
    await this.world?.stop();
  }
}
