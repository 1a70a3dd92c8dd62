import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Database } from "../store/database.js";

/**
 * Open the database while `load` imports the bot's modules, then start the bot on it: on a first
 * start the embedded server's initdb (another process) overlaps Node's import work instead of
 * following it. The database is the caller's: stopping the bot closes it, and so does a failed start.
 */
export async function startWithDatabase<M, R extends { stop(): Promise<void> }>(
  config: Config,
  log: Logger,
  load: () => Promise<M>,
  start: (module: M, db: Database) => Promise<R>,
): Promise<R> {
  const opening = import("../store/open.js").then(({ openDatabase }) => openDatabase(config, log));
  const [module, db] = await Promise.all([
    load().catch(async (err: unknown) => {
      // The import failed: close the database once it is open, then report the import's error.
      await opening.then((d) => d.close()).catch(() => undefined);
      throw err;
    }),
    opening,
  ]);
  let running: R;
  try {
    running = await start(module, db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return {
    ...running,
    stop: async () => {
      try {
        await running.stop();
      } finally {
        await db.close();
      }
    },
  };
}
