import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { openPostgres } from "../../src/store/adapters/postgres.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { type BotProcess, killBots, processesWithEnv, spawnBot } from "./bot-processes.js";
import { freshPostgresDatabase } from "./databases.js";
import { FakeSlack } from "./fake-slack.js";

/** What a test of whole bot processes on one PostgreSQL works with; fresh for every test (useBotFleet). */
export class BotFleet {
  /** The test's own database (migrated); bots reach it at `url` unless told otherwise. */
  url!: string;
  direct!: Database;
  fake!: FakeSlack;
  /** Where the bots' data directories go. */
  dir!: string;
  bots: BotProcess[] = [];

  /** Start a bot process (test/support/bot-process.ts) and keep it for the teardown. */
  async spawn(name: string, o: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<BotProcess> {
    const b = await spawnBot(name, {
      dir: this.dir,
      databaseUrl: o.databaseUrl ?? this.url,
      slackApiUrl: this.fake.apiUrl,
      env: o.env,
    });
    this.bots.push(b);
    return b;
  }
}

/**
 * Registers the hooks of a suite of bot processes: before each test a fresh PostgreSQL database,
 * the fake Slack Web API and a temporary directory; after it every bot is killed with whatever
 * agent its data directory still has running, and all of it removed. Hooks a suite registers after
 * this call run before this teardown (e.g. restoring a cut proxy first).
 */
export function useBotFleet(dirPrefix: string): BotFleet {
  const fleet = new BotFleet();
  let drop: () => Promise<void> = async () => {};
  beforeEach(async () => {
    ({ url: fleet.url, drop } = await freshPostgresDatabase());
    fleet.direct = await openPostgres(fleet.url, { maxConnections: 2 });
    await migrate(fleet.direct);
    fleet.fake = await new FakeSlack().start();
    fleet.dir = mkdtempSync(path.join(tmpdir(), dirPrefix));
    fleet.bots = [];
  });
  afterEach(async () => {
    await killBots(fleet.bots);
    for (const b of fleet.bots) for (const pid of processesWithEnv(b.dataDir)) process.kill(pid, "SIGKILL");
    await fleet.fake.stop();
    await fleet.direct.close();
    await drop();
    rmSync(fleet.dir, { recursive: true, force: true });
  });
  return fleet;
}
