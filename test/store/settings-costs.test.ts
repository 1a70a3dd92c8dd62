import { afterEach, beforeEach, expect, it } from "vitest";
import { listAudit, recordAudit } from "../../src/store/audit.js";
import { getChannelSettings, setChannelVerbosity } from "../../src/store/channel-settings.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { userRunCost } from "../../src/store/run-costs.js";
import { describeEachDatabase } from "../support/databases.js";

/** Channel settings, a person's run costs of the last day and audit filters, on every database target. */
describeEachDatabase("channel settings, run costs and audit filters", (target) => {
  let db: Database;
  beforeEach(async () => {
    db = await target.create();
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
  });

  it("keeps one verbosity per channel, verbose by default", async () => {
    const ref = { teamId: "T1", channelId: "C1" };
    expect(await getChannelSettings(db, ref)).toEqual({ verbosity: "verbose" });
    await setChannelVerbosity(db, ref, "quiet", "U1");
    await setChannelVerbosity(db, { teamId: "T1", channelId: "C2" }, "verbose", "U1");
    expect(await getChannelSettings(db, ref)).toEqual({ verbosity: "quiet" });
    await setChannelVerbosity(db, ref, "verbose", "U2");
    expect(await getChannelSettings(db, ref)).toEqual({ verbosity: "verbose" });
    const { rows } = await db.query<{ updated_by: string }>(
      "SELECT updated_by FROM channel_settings WHERE channel_id = 'C1'",
    );
    expect(rows).toEqual([{ updated_by: "U2" }]);
  });

  it("sums a person's recorded run costs of the last 24 hours only", async () => {
    const finish = (actor: string, costUsd: number | undefined) =>
      recordAudit(db, { actor, action: "run.finish", threadKey: "T1:C1:1.1", detail: { costUsd, requester: actor } });
    await finish("U1", 0.25);
    await finish("U1", 0.5);
    await finish("U1", undefined);
    await finish("U2", 3);
    await recordAudit(db, { actor: "U1", action: "run.queue", detail: { costUsd: 9 } });
    await db.query("UPDATE audit_log SET at = now() - interval '25 hours' WHERE detail->>'costUsd' = '0.25'");
    expect(await userRunCost(db, "U1")).toBeCloseTo(0.5, 10);
    expect(await userRunCost(db, "U2")).toBe(3);
    expect(await userRunCost(db, "U3")).toBe(0);
  });

  it("lists records by person (as actor or requester) and by channel", async () => {
    await recordAudit(db, { actor: "U1", action: "run.queue", threadKey: "T1:C1:1.1", detail: { requester: "U1" } });
    await recordAudit(db, {
      actor: "UADMIN",
      action: "run.cancel",
      threadKey: "T1:C1:1.1",
      detail: { requester: "U1" },
    });
    await recordAudit(db, { actor: "U2", action: "run.queue", threadKey: "T1:C2:2.2", detail: { requester: "U2" } });
    await recordAudit(db, { actor: "U2", action: "channel.settings", detail: { channel: "C1" } });
    await recordAudit(db, { actor: "U3", action: "pr.opened", threadKey: "T1:C2:2.2", detail: { number: 7 } });
    const actions = async (f: Parameters<typeof listAudit>[1]) => (await listAudit(db, f)).map((r) => r.action);
    expect(await actions({ user: "U1" })).toEqual(["run.cancel", "run.queue"]);
    expect(await actions({ channel: "C1" })).toEqual(["channel.settings", "run.cancel", "run.queue"]);
    expect(await actions({ channel: "C2", user: "U3" })).toEqual(["pr.opened"]);
    expect(await actions({ limit: 2 })).toEqual(["pr.opened", "channel.settings"]);
  });
});
