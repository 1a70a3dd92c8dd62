import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodeSlackText } from "../../src/slack/incoming-text.js";
import { UserNames } from "../../src/slack/user-names.js";
import { Alice, Bob, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/** Issue 10, "Text that users really send": what the agent receives is what the person typed. */

describe("decodeSlackText", () => {
  it("decodes entities once, and makes mentions, channels and links readable", () => {
    const names = new Map([["U0BOB0001", "bob"]]);
    expect(decodeSlackText("a &lt;b&gt; &amp;&amp; c &amp;lt;", names)).toBe("a <b> && c &lt;");
    expect(decodeSlackText("ask <@U0BOB0001> and <@U0CAROL1|carol> and <@U0NOBODY>", names)).toBe(
      "ask @bob and @carol and @U0NOBODY",
    );
    expect(decodeSlackText("in <#C0BUILDS1|builds> or <#C0OTHER01>")).toBe("in #builds or #C0OTHER01");
    expect(decodeSlackText("see <https://x.example/a?b=1&amp;c=2|the docs> or <https://y.example>")).toBe(
      "see https://x.example/a?b=1&c=2 or https://y.example",
    );
    expect(decodeSlackText("mail <mailto:ops@x.example|ops@x.example>")).toBe("mail ops@x.example");
    expect(decodeSlackText("<!here> <!channel> <!subteam^S0DEVS|@devs> <!date^1767225600^{date}|Jan 1>")).toBe(
      "@here @channel @devs Jan 1",
    );
    expect(decodeSlackText("keep\n\tthe  tabs\u0000 and lines\n")).toBe("keep\n\tthe  tabs and lines\n");
  });
});

describe("UserNames", () => {
  it("asks users.info once per person, remembers failures, and keeps at most maxEntries names", async () => {
    let now = 0;
    const asked: string[] = [];
    const names = new UserNames(
      async (id) => {
        asked.push(id);
        if (id === "UGONE") throw new Error("user_not_found");
        return id.toLowerCase();
      },
      { maxEntries: 2, ttlMs: 1000, failureTtlMs: 100, clock: { now: () => now } },
    );
    expect(await Promise.all([names.nameOf("UA"), names.nameOf("UA")])).toEqual(["ua", "ua"]);
    expect(await names.nameOf("UGONE")).toBeUndefined();
    expect(await names.nameOf("UGONE")).toBeUndefined();
    expect(asked).toEqual(["UA", "UGONE"]);
    expect(names.size).toBe(2);
    await names.nameOf("UB"); // evicts the least recently used (UA)
    expect(names.size).toBe(2);
    await names.nameOf("UA");
    expect(asked).toEqual(["UA", "UGONE", "UB", "UA"]);
    now = 2000; // names expire
    await names.nameOf("UA");
    expect(asked.at(-1)).toBe("UA");
    expect(asked).toHaveLength(5);
  });

  it("gives up on a lookup that hangs (the mention then reads as its id)", async () => {
    const names = new UserNames(() => new Promise(() => undefined), { timeoutMs: 20 });
    expect(await names.nameOf("USLOW")).toBeUndefined();
  });
});

describe("prompts through real Bolt", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start();
  });
  beforeEach(() => h.reset());
  afterAll(async () => {
    await h.stop();
  });

  it("hands the agent the decoded command text, with people named through users.info", async () => {
    // `/agent` text as Slack sends it: &, <, > escaped; mentions, channels and links as markup.
    await h.slash(
      "make sure a &lt; b &amp;&amp; c &gt; d, ask <@U0BOB0001> and <@U0NOBODY>, post in <#C0BUILDS1|builds>, see <https://x.example/a?b=1&amp;c=2|the docs>",
    );
    const card = await h.waitForCard(1);
    await h.waitForText(card.ts, /^Done/);
    expect(h.agent.requests[0]!.prompt).toBe(
      "make sure a < b && c > d, ask @bob and @U0NOBODY, post in #builds, see https://x.example/a?b=1&c=2",
    );
    // The card shows the same text, escaped for mrkdwn again.
    expect(blocksText(card)).toContain("a &lt; b &amp;&amp; c &gt; d");

    await h.slash("and ask <@U0BOB0001> again");
    await h.waitForText((await h.waitForCard(2)).ts, /^Done/);
    expect(h.agent.requests[1]!.prompt).toBe("and ask @bob again");
    // One users.info call per person: Bob is cached, the unknown id's failure too.
    expect(h.fake.callsOf("users.info").map((c) => c.params.user)).toEqual(["U0BOB0001", "U0NOBODY"]);
  });

  it("keeps a reply's whitespace: only the mention goes", async () => {
    h.agent.script = () => ({ steps: [], answer: "first" });
    const before = h.cards().length;
    await h.slash("write the parser");
    const card = await h.waitForCard(before + 1);
    await h.waitInThread(card.ts, (m) => m.text === "first", "the first answer");

    const code = "use this:\n```\nfunction f(x) {\n\tif (x) {\n\t\treturn  x  *  2;\n\t}\n}\n```\n    indented line";
    await h.event("event.message.thread_reply.json", { text: code, ts: nextTs(), thread_ts: card.ts, user: Bob });
    await h.event("event.app_mention.json", {
      text: `<@${h.fake.botUserId}> ${code}`,
      ts: nextTs(),
      thread_ts: card.ts,
      user: Alice,
    });
    await h.fake.waitFor(() => h.agent.requests.length === 3, "both replies ran");
    expect(h.agent.requests[1]!.prompt).toBe(code);
    expect(h.agent.requests[2]!.prompt).toBe(code);
  });

  it("names the people of a discussion for the agent", async () => {
    const root = h.fake.addMessage({
      channel: Channel,
      user: Bob,
      ts: "1767225000.000200",
      text: "deploy fails &amp; <@U0ALICE01> knows why",
    });
    await h.event("event.app_mention.json", {
      text: `<@${h.fake.botUserId}> fix it`,
      ts: nextTs(),
      thread_ts: root.ts,
      user: Alice,
    });
    await h.fake.waitFor(() => h.agent.requests[0], "the run");
    expect(h.agent.requests[0]!.prompt).toContain("@bob: deploy fails & @alice knows why");
  });
});
