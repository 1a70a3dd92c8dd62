import { afterEach, beforeEach, expect, it } from "vitest";
import { WorkspaceHistory } from "../../src/console/history.js";
import { clockTs } from "../../src/console/ts-source.js";
import { Workspace } from "../../src/console/workspace.js";
import { silentLogger } from "../../src/log.js";
import { HistoryLoadLimit, loadConsoleHistory } from "../../src/store/console-history.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { describeEachDatabase } from "../support/databases.js";

/** The console's channels, messages and files survive a restart; notices and status lines do not (as in Slack). */
describeEachDatabase("console history", (target) => {
  let db: Database;
  beforeEach(async () => {
    db = await target.create();
    await migrate(db);
  });
  afterEach(() => db.close());

  async function reopen(): Promise<Workspace> {
    const ws = new Workspace(clockTs());
    const h = new WorkspaceHistory(db, ws, silentLogger);
    await h.open();
    await h.close();
    return ws;
  }

  it("keeps channels, messages as last edited, thread replies and files; forgets deleted ones", async () => {
    const ws = new Workspace(clockTs());
    const history = new WorkspaceHistory(db, ws, silentLogger);
    await history.open();
    const general = ws.addChannel("General", "hello");
    const root = ws.addMessage({
      channel: general.id,
      user: "U0BOT",
      botId: "B0",
      text: "card",
      blocks: [{ type: "divider" }],
    });
    for (let i = 1; i <= 30; i++) ws.updateMessage(root, { text: `card v${i}`, edited: true });
    const reply = ws.addMessage({ channel: general.id, threadTs: root.ts, user: "U0ME", text: "and the tests?" });
    const gone = ws.addMessage({ channel: general.id, user: "U0ME", text: "typo" });
    ws.deleteMessage(general.id, gone.ts);
    ws.addFile({ id: "F1", name: "answer.md", title: "answer.md", filetype: "md", size: 5, content: "# yes" });
    ws.addMessage({
      channel: general.id,
      threadTs: root.ts,
      user: "U0BOT",
      text: "attached",
      files: [{ id: "F1", name: "answer.md", title: "answer.md", filetype: "md", size: 5 }],
    });
    ws.addNotice({ channel: general.id, user: "U0ME", text: "only you" });
    ws.setStatus(general.id, root.ts, "is thinking");
    await history.close();

    const again = await reopen();
    expect([...again.channels.values()]).toEqual([{ id: general.id, name: "general", topic: "hello", isIm: false }]);
    expect(again.messages.map((m) => m.text)).toEqual(["card v30", "and the tests?", "attached"]);
    expect(again.message(general.id, root.ts)).toMatchObject({
      botId: "B0",
      edited: true,
      blocks: [{ type: "divider" }],
    });
    expect(again.thread(general.id, root.ts).map((m) => m.ts)).toEqual([root.ts, reply.ts, again.messages[2]!.ts]);
    expect(again.files.get("F1")?.content).toBe("# yes");
    expect(again.notices).toEqual([]);
    expect(again.statuses.size).toBe(0);
    // New messages come after the stored ones, whatever the clock says.
    expect(Number(again.ts.next())).toBeGreaterThan(Number(again.messages.at(-1)!.ts));
  });

  it("loads only the latest messages when there are more than the limit", async () => {
    const ws = new Workspace(clockTs());
    const history = new WorkspaceHistory(db, ws, silentLogger);
    await history.open();
    const c = ws.addChannel("busy");
    for (let i = 0; i < 30; i++) ws.addMessage({ channel: c.id, user: "U0ME", text: `m${i}` });
    await history.close();
    const latest = await loadConsoleHistory(db, 10);
    expect(latest.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 20}`));
    expect(HistoryLoadLimit).toBeGreaterThan(1000);
  });
});
