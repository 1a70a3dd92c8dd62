import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import { listAudit } from "../../src/store/audit.js";
import { waitUntil } from "../support/queue-fixtures.js";
import { Alice, Bob, blocksText, Channel, Forever, SlackHarness } from "../support/slack-harness.js";

/**
 * The audit you can ask for: a run with an approval and another one cancelled, through the real
 * Bolt app with signed requests; then `/agent audit` (admins, only they see it) and the
 * `codethread audit --json` export read back who did what.
 */
const Admin = "U0ADMIN01";
const dataDir = mkdtempSync(path.join(tmpdir(), "codethread-audit-"));
let h: SlackHarness;

beforeAll(async () => {
  h = await SlackHarness.start({
    env: { CODETHREAD_ADMINS: Admin, CODETHREAD_PERMISSION_POLICY: "ask", CODETHREAD_DATA_DIR: dataDir },
    overrides: { db: await openPGlite(dataDir) },
  });
});
afterAll(async () => {
  await h?.stop().catch(() => undefined);
});

/** Ask `/agent TEXT` as `user`; the private answer that came back (after the ack). */
async function ask(text: string, user: string): Promise<string> {
  const id = `cmd-${Math.random().toString(36).slice(2)}`;
  const ack = await h.slash(text, { user_id: user, response_url: h.fake.responseUrl(id) });
  if (ack.text.includes('"text"')) return String((JSON.parse(ack.text) as { text: string }).text);
  const r = await h.fake.waitFor(() => h.fake.responses.find((x) => x.path.endsWith(id)), `the answer to ${text}`);
  return String(r.body.text);
}

function codethread(args: string[]) {
  const r = spawnSync(process.execPath, [path.resolve("bin/codethread.js"), ...args], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? "", HOME: dataDir, CODETHREAD_DATA_DIR: dataDir },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("audit", () => {
  it("lists a run, its tools, an approval and a cancel with who did them; admins only; exported as JSON lines", async () => {
    // A run whose agent asks before deleting: the admin approves.
    h.agent.script = () => ({
      steps: [
        { tool: "Bash", input: { command: "ls" }, summary: "Ran ls" },
        { ask: "Bash", summary: "Run rm -rf build/" },
      ],
      answer: "Cleaned.",
      costUsd: 0.042,
    });
    await h.slash("clean the build output", { user_id: Alice });
    const card = await h.waitForCard(1);
    const question = await h.waitInThread(card.ts, (m) => blocksText(m).includes("permission_approve"), "the request");
    const value = /"value":"([^"]+)"/.exec(blocksText(question))![1]!;
    await h.click({
      userId: Admin,
      channel: Channel,
      messageTs: question.ts,
      threadTs: card.ts,
      actionId: "permission_approve",
      value,
      text: question.text,
    });
    await h.waitForText(card.ts, /^Done/);

    // A second run the admin cancels.
    h.agent.script = () => ({ steps: [{ tool: "Bash", summary: "Ran sleep 1000" }, { wait: Forever }] });
    await h.slash("migrate the whole database", { user_id: Alice });
    const second = await h.waitForCard(2);
    await h.waitForText(second.ts, /^Running/);
    await h.click({ userId: Admin, channel: Channel, messageTs: second.ts, actionId: "run_cancel", value: second.ts });
    await h.waitForText(second.ts, /^Cancelled/);

    // Not for everyone: the requester herself is refused.
    expect(await ask("audit", Alice)).toContain("Only admins (CODETHREAD_ADMINS) can use `/agent audit`");

    // The cancelled run's outcome is recorded once its worker has finished it.
    await waitUntil(
      async () => (await listAudit(h.app.db, { user: Alice })).some((r) => r.detail.outcome === "cancelled"),
      "the cancelled run's outcome record",
    );
    const audit = await ask("audit 50", Admin);
    const lines = audit.split("\n");
    expect(lines[0]).toMatch(/^\*Audit\* — the last \d+, newest first$/);
    expect(audit).toContain(`<@${Alice}> asked: “clean the build output”`);
    expect(audit).toContain(`<@${Alice}> asked: “migrate the whole database”`);
    expect(audit).toContain(`the agent, for <@${Alice}>: “Ran ls” (shell)`);
    expect(audit).toMatch(
      new RegExp(`<@${Admin}> approved “[^”]*Run rm -rf build/[^”]*” \\(the run of <@${Alice}>\\)`),
    );
    expect(audit).toContain(`<@${Admin}> cancelled the run of <@${Alice}>`);
    expect(audit).toContain(`run of <@${Alice}> finished: succeeded · $0.04`);
    expect(audit).toContain(`run of <@${Alice}> finished: cancelled`);
    expect(audit).toContain(`cancelled by <@${Admin}>`);
    expect(audit).toContain(`<#${Channel}>`);
    // Newest first: the cancel comes before the approval.
    expect(audit.indexOf("cancelled the run")).toBeLessThan(audit.indexOf("approved"));

    // Narrowed to a person (as Slack sends a picked mention) and to N lines; another channel has nothing.
    const few = await ask(`audit <@${Alice}|alice> 3`, Admin);
    expect(few.split("\n")).toHaveLength(4);
    expect(few).toContain(`*Audit* of <@${Alice}>`);
    expect(await ask(`audit <@${Bob}|bob>`, Admin)).toContain("no records");
    expect(await ask("audit <#C0ELSEWHE|elsewhere>", Admin)).toContain("no records");
    expect(await ask("audit @alice", Admin)).toContain("could not read `@alice` as a person or a channel");

    // The export, once the bot has let go of its embedded database.
    await h.stop();
    const out = codethread(["audit", "--json", "--user", Alice]);
    expect(out.err).toBe("");
    expect(out.code).toBe(0);
    const records = out.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { actor: string; action: string; channel: string; detail: Record<string, unknown> });
    const find = (action: string, pred: (d: Record<string, unknown>) => boolean = () => true) =>
      records.find((r) => r.action === action && pred(r.detail));
    expect(find("run.queue", (d) => d.prompt === "clean the build output")).toMatchObject({
      actor: Alice,
      channel: Channel,
    });
    expect(find("tool.use", (d) => d.summary === "Ran ls")).toMatchObject({ actor: Alice, detail: { kind: "shell" } });
    expect(find("permission.allow")).toMatchObject({ actor: Admin, detail: { requester: Alice } });
    expect(find("run.cancel")).toMatchObject({ actor: Admin, detail: { requester: Alice } });
    expect(find("run.finish", (d) => d.outcome === "succeeded")).toMatchObject({ detail: { costUsd: 0.042 } });
    expect(find("run.finish", (d) => d.outcome === "cancelled")).toMatchObject({ detail: { cancelledBy: Admin } });
    // Tool outputs never reach the audit.
    expect(out.out).not.toContain('"output"');

    const human = codethread(["audit", "--channel", Channel, "--limit", "2"]);
    expect(human.code).toBe(0);
    expect(human.out.trim().split("\n")).toHaveLength(2);
    expect(human.out).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z  #${Channel}  `));
  });
});
