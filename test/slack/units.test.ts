import { describe, expect, it } from "vitest";
import { mayControl, mayRun } from "../../src/handlers/authorize.js";
import { createCommandRouter } from "../../src/handlers/commands/index.js";
import { parseRunText } from "../../src/handlers/commands/run-text.js";
import { stripMention } from "../../src/handlers/mention.js";
import { planAnswer, splitMarkdown } from "../../src/slack/answer.js";
import { RateBudget } from "../../src/slack/rate-budget.js";
import { formatThreadContext } from "../../src/slack/thread-context.js";

describe("/agent text", () => {
  const router = createCommandRouter();
  const picked = (text: string) => router.resolve(text)?.command.name;

  it("picks commands by their first word (or two, for subcommands); argument-less ones only when bare", () => {
    expect(picked("status")).toBe("status");
    expect(picked(" Help ")).toBe("help");
    expect(picked("--help")).toBe("help");
    expect(picked("project new demo")).toBe("project new");
    expect(picked("PROJECT List")).toBe("project list");
    expect(picked("project list everything")).toBe("project");
    expect(picked("project")).toBe("project");
    expect(picked("build demo main")).toBe("build");
    expect(picked("build")).toBe("build");
    expect(picked("pr")).toBe("pr");
    expect(picked("pr the login fix")).toBeUndefined();
    expect(picked("status of the build")).toBeUndefined();
    expect(picked("help me fix the login")).toBeUndefined();
    expect(picked("fix the build")).toBeUndefined();
  });

  it("reads options anywhere before the prompt (agent names lower-cased; the registry resolves aliases); the prompt keeps its lines", () => {
    expect(parseRunText("project=web agent=Claude fix it\nplease")).toEqual({
      kind: "run",
      slackPrompt: "fix it\nplease",
      agent: "claude",
      project: "web",
    });
    expect(parseRunText("fix agent=opencode later")).toMatchObject({
      slackPrompt: "fix agent=opencode later",
      agent: undefined,
    });
    expect(parseRunText("agent= fix")).toMatchObject({ kind: "invalid" });
  });

  it("strips only the bot's mention: other people's, line breaks, tabs and indentation stay", () => {
    expect(stripMention("<@U0BOT> ask <@U0BOB> about\nthis", "U0BOT")).toBe("ask <@U0BOB> about\nthis");
    const code = "fix this:\n```\nif (x) {\n\treturn  a  +  b;\n    }\n```";
    expect(stripMention(`<@U0BOT> ${code}`, "U0BOT")).toBe(code);
    expect(stripMention(`<@U0BOT>\n\tindented first line\n  second`, "U0BOT")).toBe("\tindented first line\n  second");
    expect(stripMention("please <@U0BOT|codethread>  look", "U0BOT")).toBe("please look");
    expect(stripMention("a  b\t\tc", undefined)).toBe("a  b\t\tc");
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
      `@UBOB: ${"old remark ".repeat(10).trim()}\n@UALICE: the test fails on CI`,
    );
    expect(
      formatThreadContext(msgs, {
        beforeTs: "4.0",
        botUserId: "UBOT",
        maxChars: 40,
        names: new Map([["UALICE", "alice"]]),
      }),
    ).toBe("@alice: the test fails on CI");
  });
});
