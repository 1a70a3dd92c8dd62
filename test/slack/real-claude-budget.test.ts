import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeCodeDescriptor } from "../../src/agents/claude/descriptor.js";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { listAudit } from "../../src/store/audit.js";
import { makeAgent, makeSandbox, promptTexts, type Sandbox } from "../claude/harness.js";
import type { StoredMessage } from "../support/fake-slack.js";
import { type MockAnthropic, startMockAnthropic } from "../support/mock-anthropic.js";
import { Alice, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * CODETHREAD_MAX_COST_USD and model=NAME with the real `claude` CLI against the mock Anthropic API:
 * `--max-budget-usd` really stops the run (its result line says `error_max_budget_usd`,
 * "Reached maximum budget ($0.0001)"), the card and the thread say so, a reply continues the
 * session, and `model=sonnet` reaches the model API.
 */
let mock: MockAnthropic;
let sb: Sandbox;
let h: SlackHarness;
/** The real CLI takes seconds per turn on a loaded 2-core machine: wait generously (no timing asserted). */
const Patience = 90_000;

beforeAll(async () => {
  mock = await startMockAnthropic();
  sb = makeSandbox();
  h = await SlackHarness.start({
    env: { CODETHREAD_MAX_COST_USD: "0.0001" },
    overrides: {
      // The real descriptor's traits: its aliases and the model names it accepts.
      registry: new ProviderRegistry().register(makeAgent(mock, sb), claudeCodeDescriptor),
      worker: { pollMs: 50, leaseMs: 10_000, resolveWorkspace: () => ({ kind: "local", directory: sb.cwd }) },
    },
  });
});

afterAll(async () => {
  await h?.stop();
  await mock?.close();
  sb?.cleanup();
});

const cardState = (ts: string, re: RegExp) =>
  h.fake.waitFor(
    () => {
      const m = h.fake.message(Channel, ts);
      return m && re.test(m.text) ? m : undefined;
    },
    `card ${ts} to match ${re}`,
    Patience,
  );
const inThread = (ts: string, pred: (m: StoredMessage) => boolean, what: string) =>
  h.fake.waitFor(() => h.fake.thread(Channel, ts).find(pred), what, Patience);

describe("a run's cost budget with the real Claude Code CLI", () => {
  it("stops the run at --max-budget-usd, says so on the card and in the thread, and a reply continues", async () => {
    await h.slash("model=sonnet MOCK:bash list the files please");
    const card = await h.waitForCard();
    const stopped = await cardState(card.ts, /^Budget reached/);
    expect(blocksText(stopped)).toContain("Stopped: budget of $0.0001 reached — reply to continue.");
    expect(blocksText(stopped)).toContain("model *sonnet*");
    // The CLI reports what the turn cost (more than the budget: it stops after the call that passed it).
    expect(blocksText(stopped)).toMatch(/\$0\.0\d{3}/);
    const notice = await inThread(
      card.ts,
      (m) => m.ts !== card.ts && blocksText(m).includes("Budget reached"),
      "the budget stop in the thread",
    );
    expect(blocksText(notice)).toContain("Reply in this thread to continue");
    // model=sonnet reached the model API (the CLI resolves the alias to a full id).
    expect(mock.turns()[0]?.model).toMatch(/sonnet/);
    // The answer is posted before the outcome is written (Slack does not wait for the database): wait for the record.
    await expect
      .poll(async () => (await listAudit(h.app.db, { user: Alice })).find((a) => a.action === "run.finish")?.detail)
      .toMatchObject({ outcome: "budget_exceeded", errorCode: "budget_exceeded", model: "sonnet" });

    // A reply resumes the same session: the model sees the first request again.
    mock.requests.length = 0;
    await h.event("event.message.thread_reply.json", {
      text: "go on, what is there?",
      ts: nextTs(),
      thread_ts: card.ts,
      user: Alice,
      channel: Channel,
    });
    const second = await inThread(
      card.ts,
      (m) => m.ts !== card.ts && m.user === h.fake.botUserId && m.text.includes("go on, what is there?"),
      "the second run's card",
    );
    await cardState(second.ts, /^(Budget reached|Done)/);
    const prompts = promptTexts(mock);
    expect(prompts.some((p) => p.includes("list the files please"))).toBe(true);
    expect(prompts.some((p) => p.includes("go on, what is there?"))).toBe(true);
  });

  it("refuses a model name Claude Code does not take, before anything runs", async () => {
    const turns = mock.turns().length;
    await h.slash("model=gpt-4o say hi");
    const refusal = await h.fake.waitFor(
      () => h.fake.responses.find((r) => String(r.body.text).includes("model=gpt-4o")),
      "the refusal",
    );
    expect(String(refusal.body.text)).toContain("is not a model name `claude-code` accepts");
    expect(mock.turns()).toHaveLength(turns);
  });
});
