import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { neutralizeBlocks, neutralizeBroadcasts } from "../../src/slack/broadcasts.js";
import { Alice, blocksText, Channel, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";

/**
 * Issue 10: the card's `text` (what notifications show) carried the prompt unescaped, so a prompt
 * or an answer with `<!channel>` pinged the whole channel. Every text the bot posts — blocks and
 * `text`, answers, errors, permission messages, status, ephemeral and response_url replies — has
 * its broadcast mentions neutralized.
 */
const Broadcast = /<!(channel|here|everyone|subteam)|(?<![\w.+-])@(channel|here|everyone)(?![\w-]|\.\w)/i;
const hostile = "<!channel> <!here|here> <!everyone> <!subteam^S0DEVS|@devs> <!subteam^S0OPS> @here";

describe("neutralizeBroadcasts", () => {
  it("turns special mentions into plain words and leaves other markup alone", () => {
    const out = neutralizeBroadcasts(`${hostile} <@U0BOB0001> <#C0BUILDS1> <!date^1767225600^{date}|Jan 1> a@here.com`);
    expect(out).not.toMatch(Broadcast);
    expect(out.replaceAll("\u2060", "")).toBe(
      "@channel @here @everyone @devs @S0OPS @here <@U0BOB0001> <#C0BUILDS1> <!date^1767225600^{date}|Jan 1> a@here.com",
    );
    const blocks = neutralizeBlocks([
      { type: "section", text: { type: "mrkdwn", text: "<!here> look" } },
      { type: "actions", elements: [{ type: "button", action_id: "x", value: "<!here>", text: { text: "<!here>" } }] },
    ]);
    expect(JSON.stringify(blocks)).toContain('"value":"<!here>"');
    expect(JSON.stringify(blocks).replace('"value":"<!here>"', "")).not.toMatch(Broadcast);
  });
});

describe("a hostile prompt and a hostile answer", () => {
  let h: SlackHarness;
  const acks: string[] = [];
  beforeAll(async () => {
    h = await SlackHarness.start({
      env: { CODETHREAD_PERMISSION_POLICY: "ask" },
      overrides: { threadStatus: true },
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  it("never puts a broadcast mention in any message, edit, ephemeral, status or response", async () => {
    h.agent.script = (r) =>
      r.prompt.includes("fail")
        ? { steps: [], error: { message: `${hostile} broke it`, code: "boom" } }
        : {
            steps: [
              { tool: "Bash", input: { command: "echo <!here>" }, summary: `Ran echo ${hostile}` },
              { text: hostile },
              { ask: "Bash", summary: `Run notify ${hostile}` },
            ],
            answer: `All done ${hostile}\n\n\`\`\`\n${hostile}\n\`\`\``,
          };

    // Users type @channel (Slack sends <!channel>) or the literal markup (Slack sends it escaped).
    const slackPrompt = "<!channel> deploy &lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S0DEVS|@devs&gt; now";
    acks.push((await h.slash(slackPrompt)).text);
    const card = await h.waitForCard(1);
    const question = await h.waitInThread(
      card.ts,
      (m) => blocksText(m).includes("permission_approve"),
      "the permission request",
    );
    const value = /"value":"([^"]+)"/.exec(blocksText(question))![1]!;
    await h.click({
      userId: Alice,
      channel: Channel,
      messageTs: question.ts,
      threadTs: card.ts,
      actionId: "permission_deny",
      value,
      text: question.text,
    });
    await h.waitInThread(card.ts, (m) => m.text.startsWith("All done"), "the answer");
    await h.waitForText(card.ts, /^Done/);
    expect(h.agent.requests[0]!.prompt).toContain("deploy <!here> <!everyone>");

    // A failing run, a mention, refused options and the status list, all carrying the same text.
    const ts = nextTs();
    await h.event("event.app_mention.json", {
      text: `<@${h.fake.botUserId}> please fail ${slackPrompt}`,
      ts,
      user: Alice,
      channel: Channel,
    });
    await h.waitInThread(ts, (m) => m.text.includes("Failed"), "the failure");
    await h.event("event.app_mention.json", {
      text: `<@${h.fake.botUserId}> agent=&lt;!here&gt; ${slackPrompt}`,
      ts: nextTs(),
      user: Alice,
      channel: Channel,
    });
    await h.fake.waitFor(() => h.fake.callsOf("chat.postEphemeral")[0], "the refusal of the mention");
    acks.push((await h.slash(`agent=&lt;!here&gt; ${slackPrompt}`, { response_url: h.fake.responseUrl("a") })).text);
    acks.push(
      (await h.slash(`project=&lt;!channel&gt; ${slackPrompt}`, { response_url: h.fake.responseUrl("p") })).text,
    );
    acks.push((await h.slash("status", { response_url: h.fake.responseUrl("s") })).text);
    await h.fake.waitFor(() => h.fake.responses.length >= 3, "three responses");
    expect(h.fake.responses.map((r) => String(r.body.text))).toEqual([
      expect.stringContaining("Unknown agent"),
      expect.stringContaining("Unknown project `@\u2060channel`"),
      expect.stringContaining("*Agents*"),
    ]);
    await h.app.publisher.idle();

    const posted = [
      ...h.fake.calls.map((c) => JSON.stringify(c.params)),
      ...h.fake.responses.map((r) => JSON.stringify(r.body)),
      ...acks,
    ];
    expect(h.fake.callsOf("assistant.threads.setStatus").length).toBeGreaterThan(0);
    expect(String(h.fake.callsOf("chat.postEphemeral")[0]!.params.text)).toContain("Unknown agent");
    expect(posted.filter((p) => Broadcast.test(p))).toEqual([]);
    // The words are still there for people to read.
    expect(h.fake.message(Channel, card.ts)!.text.replaceAll("\u2060", "")).toContain("@channel deploy");
  });
});
