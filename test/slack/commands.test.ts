import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderRegistry } from "../../src/agents/registry.js";
import { type CommandContext, CommandRouter, createCommandRouter } from "../../src/handlers/commands/index.js";
import type { HandlerDeps } from "../../src/handlers/deps.js";
import { silentLogger } from "../../src/log.js";
import { openPGlite } from "../../src/store/adapters/pglite.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { Alice, SlackHarness } from "../support/slack-harness.js";
import { nextTs } from "../support/slack-signing.js";
import { ScriptedAgent } from "../support/slack-test-agent.js";

describe("reserved commands through real Bolt", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start();
  });
  beforeEach(() => h.reset());
  afterAll(async () => {
    await h.stop();
  });

  it("`/agent pr` outside a thread says where it works, `project` alone lists the project commands; neither starts a run", async () => {
    for (const [text, says] of [
      ["pr", "Use it in a run's thread: `@codethread pr` there"],
      ["PROJECT", "`/agent project new NAME"],
      ["project frobnicate", "There is no `/agent project frobnicate`"],
    ] as const) {
      const ack = await h.slash(text);
      expect(ack.status).toBe(200);
      const body = JSON.parse(ack.text) as { response_type: string; text: string };
      expect(body.response_type).toBe("ephemeral");
      expect(body.text).toContain(says);
    }
    expect(h.cards()).toEqual([]);
    expect(h.agent.requests).toEqual([]);
  });

  it("refuses `project=NAME` for a project that does not exist, listing the known ones, and posts no card", async () => {
    await h.slash("project=web fix the build", { response_url: h.fake.responseUrl("proj") });
    const r = await h.fake.waitFor(() => h.fake.responses.find((x) => x.path === "/response/proj"), "the refusal");
    expect(String(r.body.text)).toContain("Unknown project `web`. Known projects: none yet");
    expect(h.fake.callsOf("chat.postMessage")).toEqual([]);
    expect(h.agent.requests).toEqual([]);
  });

  it("answers the same commands when mentioned, in the mention's thread", async () => {
    const ts = nextTs();
    await h.event("event.app_mention.json", { text: `<@${h.fake.botUserId}> project new demo`, ts, user: Alice });
    const call = await h.fake.waitFor(() => h.fake.callsOf("chat.postEphemeral")[0], "the ephemeral answer");
    expect(String(call.params.text)).toBe("Only admins (CODETHREAD_ADMINS) can use `@codethread project new`.");
    expect(call.params.thread_ts).toBe(ts);

    await h.event("event.app_mention.json", { text: `<@${h.fake.botUserId}> help`, ts: nextTs(), user: Alice });
    const help = await h.fake.waitFor(() => h.fake.callsOf("chat.postEphemeral")[1], "help");
    expect(String(help.params.text)).toContain("`@codethread status`");
    expect(String(help.params.text)).toContain("`@codethread project list`");
    expect(String(help.params.text)).not.toContain("`@codethread project new");
    expect(h.agent.requests).toEqual([]);
  });

  it("generates help from the registered commands", async () => {
    const ack = await h.slash("help");
    const text = (JSON.parse(ack.text) as { text: string }).text;
    for (const name of ["status", "project list", "project use NAME", "build [PROJECT] [BRANCH]", "pr", "help"])
      expect(text).toContain(`\`/agent ${name}`);
    expect(text).toContain("Agents here: `scripted`");
  });

  it("still sends prompts that merely start with a command word to the agent", async () => {
    h.agent.script = (r) => ({ steps: [], answer: `ran: ${r.prompt}` });
    const before = h.cards().length;
    await h.slash("help me fix the login page");
    const first = await h.waitForCard(before + 1);
    await h.slash("status of the nightly build, please");
    const second = await h.waitForCard(before + 2);
    await h.waitInThread(first.ts, (m) => m.text === "ran: help me fix the login page", "the first answer");
    await h.waitInThread(second.ts, (m) => m.text === "ran: status of the nightly build, please", "the second");
  });
});

describe("CommandRouter", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openPGlite();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  function context(user: string, answers: string[]): CommandContext {
    const deps = {
      db,
      access: { allowedUsers: [], allowedChannels: [], admins: ["UADMIN"] },
      registry: new ProviderRegistry().register(new ScriptedAgent()),
      log: silentLogger,
    } as unknown as HandlerDeps;
    return {
      deps,
      source: "slash",
      prefix: "/agent",
      teamId: "T1",
      user,
      channel: "C1",
      isAdmin: user === "UADMIN",
      respond: async (text) => void answers.push(text),
      ack: async () => undefined,
    };
  }

  it("registers a command in one place: name, admin-only flag, usage line, handler with parsed args", async () => {
    const seen: unknown[] = [];
    const router = new CommandRouter().register({
      name: "deploy",
      adminOnly: true,
      takesArgs: true,
      usage: "NAME [env=ENV]",
      summary: "deploys.",
      run: async (args, ctx) => {
        seen.push(args);
        await ctx.respond("deploying");
      },
    });
    const answers: string[] = [];
    expect(await router.dispatch("deploy web env=prod &amp; more", context("UADMIN", answers))).toEqual({
      kind: "handled",
    });
    expect(seen).toEqual([
      {
        text: "web env=prod & more",
        words: ["web", "&", "more"],
        options: { env: "prod" },
        raw: "web env=prod &amp; more",
      },
    ]);
    expect(answers).toEqual(["deploying"]);

    const refused: string[] = [];
    await router.dispatch("deploy web", context("UBOB", refused));
    expect(refused).toEqual(["Only admins (CODETHREAD_ADMINS) can use `/agent deploy`."]);
    expect(seen).toHaveLength(1);
    expect(router.usageLines("/agent", true)).toEqual(["• `/agent deploy NAME [env=ENV]` — deploys. _(admins)_"]);
    expect(router.usageLines("/agent", false)).toEqual([]);
  });

  it("returns everything else as a run request, and refuses a word registered twice", async () => {
    const router = createCommandRouter();
    expect(await router.dispatch("agent=claude fix it", context("UBOB", []))).toEqual({
      kind: "run",
      slackPrompt: "fix it",
      agent: "claude",
      project: undefined,
    });
    expect(() =>
      router.register({
        name: "status",
        adminOnly: false,
        takesArgs: false,
        usage: "",
        summary: "",
        run: async () => {},
      }),
    ).toThrow(/registered twice/);
  });
});
