import type { Logger } from "../log.js";
import {
  deleteConsoleMessage,
  loadConsoleHistory,
  saveConsoleChannel,
  saveConsoleFile,
  saveConsoleMessage,
} from "../store/console-history.js";
import type { Database } from "../store/database.js";
import type { Workspace, WorkspaceChange } from "./workspace.js";

/**
 * Keeps a workspace in the bot's database: loads it at start, then writes every change in the
 * background, one write at a time, in order of first change.
 *
 * Bound: the writes waiting are one per changed item (a message edited 30 times while a write is
 * under way is written once more, as it is then), so they never outnumber the workspace's
 * messages, channels and files. A failed write is logged and dropped: the page stays right, the
 * history after a restart may miss that change.
 */
export class WorkspaceHistory {
  readonly #dirty = new Map<string, () => Promise<void>>();
  #running: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly ws: Workspace,
    private readonly log: Logger,
  ) {}

  /** Load the stored history into the workspace and start saving its changes. */
  async open(): Promise<void> {
    this.ws.load(await loadConsoleHistory(this.db));
    this.#unsubscribe = this.ws.onChange((c) => this.#note(c));
  }

  #note(c: WorkspaceChange): void {
    if (c.kind === "channel") this.#queue(`c:${c.channel.id}`, () => saveConsoleChannel(this.db, c.channel));
    else if (c.kind === "message") {
      const m = c.message;
      this.#queue(`m:${m.channel}:${m.ts}`, () => saveConsoleMessage(this.db, m));
    } else if (c.kind === "message_deleted") {
      this.#queue(`m:${c.channel}:${c.ts}`, () => deleteConsoleMessage(this.db, c.channel, c.ts));
    } else if (c.kind === "file") this.#queue(`f:${c.file.id}`, () => saveConsoleFile(this.db, c.file));
    // notices and status lines are not kept (Slack forgets them too)
  }

  #queue(key: string, write: () => Promise<void>): void {
    this.#dirty.set(key, write); // an item already waiting keeps its place and writes its latest state
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      const next = this.#dirty.entries().next();
      if (next.done) return;
      const [key, write] = next.value;
      this.#dirty.delete(key);
      await write().catch((err: unknown) => this.log.warn({ err, key }, "console history: a change was not saved"));
    }
  }

  /** Stop listening and wait for the writes still waiting. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    while (this.#running) await this.#running;
  }
}
