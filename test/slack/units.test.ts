import { describe, expect, it } from "vitest";
import { mayControl, mayRun } from "../../src/handlers/authorize.js";
import { parseAgentCommand, stripMention } from "../../src/handlers/command-text.js";
import { planAnswer, splitMarkdown } from "../../src/slack/answer.js";
import { RateBudget } from "../../src/slack/rate-budget.js";
import { formatThreadContext } from "../../src/slack/thread-context.js";

describe("/agent text", () => {
  it("reads subcommands, options anywhere before the prompt, and aliases", () => {
    expect(parseAgentCommand("")).toEqual({ kind: "help" });
    expect(parseAgentCommand(" help ")).toEqual({ kind: "help" });
    expect(parseAgentCommand("status")).toEqual({ kind: "status" });
    expect(parseAgentCommand("status of the build")).toEqual({
      kind: "run",
      prompt: "status of the build",
      agent: undefined,
      project: undefined,
    });
    expect(parseAgentCommand("project=web agent=claude fix it\nplease")).toEqual({
      kind: "run",
      prompt: "fix it\nplease",
      agent: "claude-code",
      project: "web",
    });
    expect(parseAgentCommand("fix agent=opencode later")).toMatchObject({
      prompt: "fix agent=opencode later",
      agent: undefined,
    });
    expect(parseAgentCommand("agent= fix")).toMatchObject({ kind: "invalid" });
  });

  it("strips the bot's mention but keeps other people's and line breaks", () => {
    expect(stripMention("<@U0BOT> ask <@U0BOB> about\nthis", "U0BOT")).toBe("ask <@U0BOB> about\nthis");
  });
});

describe("access", () => {
  const access = { allowedUsers: ["U1"], allowedChannels: ["C1"], admins: ["UA"] };
  it("applies allow-lists, exempts admins and DMs from the channel list", () => {
    expect(mayRun(access, "U1", "C1").ok).toBe(true);
    expect(mayRun(access, "U2", "C1")).toMatchObject({ ok: false, reason: "user" });
    expect(mayRun(access, "U1", "C2")).toMatchObject({ ok: false, reason: "channel" });
    expect(mayRun(access, "U1", "D123").ok).toBe(true);
    expect(mayRun(access, "UA", "C9").ok).toBe(true);
    expect(mayRun({ allowedUsers: [], allowedChannels: [], admins: [] }, "anyone", "C9").ok).toBe(true);
    expect(mayControl(access, "U2", "U1")).toBe(false);
    expect(mayControl(access, "UA", "U1")).toBe(true);
  });
});

describe("answers", () => {
  it("splits long markdown on lines and keeps code fences balanced", () => {
    const text = ["intro", "```", ...Array.from({ length: 400 }, (_, i) => `code line ${i}`), "```", "outro"].join(
      "\n",
    );
    const parts = splitMarkdown(text, 2000);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(parts.join("\n")).toContain("code line 399");
  });

  it("says what failed in plain words, with outcome, duration and the continue hint", () => {
    const plan = planAnswer({
      outcome: "failed",
      text: "",
      error: "The claude-code agent is unavailable: binary not found",
      durationMs: 1500,
    });
    expect(plan.kind).toBe("messages");
    const footer = JSON.stringify(plan.kind === "messages" ? plan.parts[0] : "");
    expect(footer).toContain("Failed");
    expect(footer).toContain("binary not found");
    expect(footer).toContain("2s");
    expect(footer).toContain("Reply in this thread to try again");
  });
});

describe("rate budget", () => {
  it("allows a burst, then refills at the per-minute rate, and honours a pause", () => {
    let now = 0;
    const b = new RateBudget(60, 2, { now: () => now });
    expect([b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, false]);
    expect(b.waitMs()).toBe(1000);
    now = 1000;
    expect(b.tryTake()).toBe(true);
    now = 5000;
    b.pause(3000);
    expect(b.tryTake()).toBe(false);
    now = 8000;
    expect(b.tryTake()).toBe(true);
    b.force();
    b.force();
    expect(b.waitMs()).toBeGreaterThan(1000);
  });
});

describe("thread context", () => {
  it("keeps who said what before the mention, without the bot, newest kept when too long", () => {
    const msgs = [
      { ts: "1.0", user: "UBOB", text: "old remark ".repeat(10) },
      { ts: "2.0", user: "UBOT", text: "bot post" },
      { ts: "3.0", user: "UALICE", text: "the test fails on CI" },
      { ts: "4.0", user: "UALICE", text: "<@UBOT> fix it" },
    ];
    expect(formatThreadContext(msgs, { beforeTs: "4.0", botUserId: "UBOT" })).toBe(
      `<@UBOB>: ${"old remark ".repeat(10).trim()}\n<@UALICE>: the test fails on CI`,
    );
    expect(formatThreadContext(msgs, { beforeTs: "4.0", botUserId: "UBOT", maxChars: 40 })).toBe(
      "<@UALICE>: the test fails on CI",
    );
  });
});
