import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../src/store/audit.js";
import { Alice, Bob, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
beforeAll(async () => {
  h = await SlackHarness.start({ env: { CODETHREAD_ADMINS: "U0ADMIN01", CODETHREAD_PERMISSION_POLICY: "ask" } });
});
beforeEach(() => h.reset());
afterAll(async () => {
  await h.stop();
});

const cancelClick = (userId: string, cardTs: string) =>
  h.click({ userId, channel: Channel, messageTs: cardTs, actionId: "run_cancel", value: cardTs });

describe("Cancel", () => {
  it("lets the requester stop a running run; the card says who cancelled", async () => {
    const card = await h.startBlockedRun("refactor everything");
    const res = await cancelClick(Alice, card.ts);
    expect(res.status).toBe(200);
    const final = await h.waitForText(card.ts, /^Cancelled/);
    expect(blocksText(final)).toContain(`Cancelled by <@${Alice}>`);
    expect(blocksText(final)).not.toContain("run_cancel");
    await h.waitInThread(card.ts, (m) => blocksText(m).includes("Cancelled by"), "the cancelled notice in the thread");
    const audit = await listAudit(h.app.db, { threadKey: `T0AGENT01:${Channel}:${card.ts}` });
    expect(audit.map((a) => a.action)).toContain("run.cancel");
  });

  it("refuses someone else, and lets an admin cancel", async () => {
    const card = await h.startBlockedRun("long migration");
    await cancelClick(Bob, card.ts);
    const refusal = await h.fake.waitFor(
      () => h.fake.callsOf("chat.postEphemeral").find((c) => String(c.params.text).includes("Only <@U0ALICE01>")),
      "refusal",
    );
    expect(refusal.params.user).toBe(Bob);
    expect(h.fake.message(Channel, card.ts)?.text).toMatch(/^Running/);

    await cancelClick("U0ADMIN01", card.ts);
    const final = await h.waitForText(card.ts, /^Cancelled/);
    expect(blocksText(final)).toContain("Cancelled by <@U0ADMIN01>");
  });

  it("cancels a queued run before it starts", async () => {
    const card = await h.startBlockedRun("first");
    h.agent.script = () => ({ steps: [], answer: "second done" });
    const { status } = await h.event("event.message.thread_reply.json", {
      text: "second",
      ts: "1767229999.000001",
      thread_ts: card.ts,
      user: Alice,
      channel: Channel,
    });
    expect(status).toBe(200);
    const queued = await h.waitInThread(card.ts, (m) => m.text.startsWith("Queued"), "queued card");
    await h.click({
      userId: Alice,
      channel: Channel,
      messageTs: queued.ts,
      threadTs: card.ts,
      actionId: "run_cancel",
      value: card.ts,
    });
    const final = await h.waitForText(queued.ts, /^Cancelled/);
    expect(blocksText(final)).toContain("before it started");
    await cancelClick(Alice, card.ts);
    await h.waitForText(card.ts, /^Cancelled/);
    expect(h.agent.requests.map((r) => r.prompt)).toEqual(["first"]);
  });
});

describe("Approve / Deny", () => {
  async function ask(prompt: string) {
    const before = h.cards().length;
    h.agent.script = () => ({ steps: [{ ask: "Bash", summary: "Run rm -rf build/" }], answer: "Finished." });
    await h.slash(prompt);
    const card = await h.waitForCard(before + 1);
    const question = await h.waitInThread(
      card.ts,
      (m) => blocksText(m).includes("permission_approve"),
      "the permission request",
    );
    expect(blocksText(question)).toContain("Run rm -rf build/");
    const value = /"value":"([^"]+)"/.exec(blocksText(question))![1]!;
    return { card, question, value };
  }

  it("approves: only the requester or an admin; the agent continues", async () => {
    const { card, question, value } = await ask("clean the build");
    await h.click({
      userId: Bob,
      channel: Channel,
      messageTs: question.ts,
      threadTs: card.ts,
      actionId: "permission_approve",
      value,
      text: question.text,
    });
    await h.fake.waitFor(
      () => h.fake.callsOf("chat.postEphemeral").find((c) => String(c.params.text).includes("can answer this request")),
      "refusal",
    );
    expect(h.agent.decisions).toEqual([]);

    await h.click({
      userId: Alice,
      channel: Channel,
      messageTs: question.ts,
      threadTs: card.ts,
      actionId: "permission_approve",
      value,
      text: question.text,
    });
    await h.waitForText(question.ts, /^Approved by/);
    await h.waitInThread(card.ts, (m) => m.text === "Finished.", "the answer");
    expect(h.agent.decisions.map((d) => d.decision.allow)).toEqual([true]);
  });

  it("denies: the agent is told and the message says who denied", async () => {
    const { card, question, value } = await ask("clean the build again");
    await h.click({
      userId: Alice,
      channel: Channel,
      messageTs: question.ts,
      threadTs: card.ts,
      actionId: "permission_deny",
      value,
      text: question.text,
    });
    const answered = await h.waitForText(question.ts, /^Denied by/);
    expect(blocksText(answered)).toContain(`Denied by <@${Alice}>`);
    await h.waitInThread(card.ts, (m) => m.text === "Finished.", "the answer");
    expect(h.agent.decisions.map((d) => d.decision.allow)).toEqual([false]);
    const audit = await listAudit(h.app.db, { threadKey: `T0AGENT01:${Channel}:${card.ts}` });
    expect(audit.map((a) => a.action)).toContain("permission.deny");
    // The denial is not mistaken for a timeout.
    expect(h.fake.message(Channel, question.ts)?.text).not.toMatch(/automatically/);
  });
});
