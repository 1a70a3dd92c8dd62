import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { AgentRequest, DefaultRunTimeoutMs, MaxRunTimeoutMs } from "../../src/agents/request.js";
import { ConfigError, loadConfig, requireSlack } from "../../src/config.js";

const key = Buffer.alloc(32, 7).toString("base64");

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, "/srv/bot");
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("loadConfig", () => {
  it("gives embedded defaults for an empty environment", () => {
    const c = loadConfig({}, "/srv/bot");
    expect(c.database.url).toBeUndefined();
    expect(c.database.dataDir).toBe("/srv/bot/.codethread");
    expect(c.workspaceDir).toBe("/srv/bot");
    expect(c.opencode.url).toBeUndefined();
    expect(c.claude.pod).toBeUndefined();
    expect(c.runs.providers).toEqual(["claude-code", "opencode"]);
    expect(c.runs.timeoutMs).toBe(30 * 60_000);
    expect(c.access).toEqual({ allowedUsers: [], allowedChannels: [], admins: [] });
  });

  it("treats empty strings as unset, as a copied .env.example leaves them", () => {
    const c = loadConfig({ DATABASE_URL: "", SLACK_BOT_TOKEN: "", PORT: "" }, "/srv/bot");
    expect(c.database.url).toBeUndefined();
    expect(c.slack.port).toBe(3000);
  });

  it("lists every invalid variable at once, each with a hint", () => {
    const found = problems({
      SLACK_BOT_TOKEN: "xoxp-user",
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      CODETHREAD_SECRET_KEY: "short",
      CODETHREAD_RUN_TIMEOUT: "soon",
      LOG_LEVEL: "loud",
    });
    expect(found).toHaveLength(6);
    expect(found.join("\n")).toMatch(/SLACK_BOT_TOKEN: must start with "xoxb-"/);
    expect(found.join("\n")).toMatch(/CODETHREAD_SECRET_KEY: .*openssl rand -base64 32/);
    expect(found.join("\n")).toMatch(/CODETHREAD_RUN_TIMEOUT: "soon" is not a duration/);
  });

  it("reads the cost budgets in USD and refuses what is not an amount", () => {
    const c = loadConfig({ CODETHREAD_MAX_COST_USD: "0.50", CODETHREAD_USER_DAILY_BUDGET_USD: "20" }, "/srv/bot");
    expect(c.runs.maxCostUsd).toBe(0.5);
    expect(c.runs.userDailyBudgetUsd).toBe(20);
    expect(loadConfig({}, "/srv/bot").runs.maxCostUsd).toBeUndefined();
    const found = problems({ CODETHREAD_MAX_COST_USD: "a lot", CODETHREAD_USER_DAILY_BUDGET_USD: "0" }).join("\n");
    expect(found).toMatch(/CODETHREAD_MAX_COST_USD: must be an amount in USD, e.g. 0.50/);
    expect(found).toMatch(/CODETHREAD_USER_DAILY_BUDGET_USD: must be more than 0 \(leave it unset for no limit\)/);
  });

  it("parses lists, durations and the pod settings", () => {
    const c = loadConfig(
      {
        CODETHREAD_ADMINS: "U1, U2 U3",
        CODETHREAD_RUN_TIMEOUT: "90s",
        CODETHREAD_K8S_NAMESPACE: "agents",
        CODETHREAD_K8S_POD: "web-0",
        CODETHREAD_SECRET_KEY: key,
      },
      "/srv/bot",
    );
    expect(c.access.admins).toEqual(["U1", "U2", "U3"]);
    expect(c.runs.timeoutMs).toBe(90_000);
    expect(c.claude.pod).toEqual({
      namespace: "agents",
      pod: "web-0",
      directory: "/workspace",
      container: undefined,
      context: undefined,
    });
  });

  it("holds CODETHREAD_RUN_TIMEOUT to the limit every run request is checked against", () => {
    expect(problems({ CODETHREAD_RUN_TIMEOUT: "5h" })).toEqual([
      "CODETHREAD_RUN_TIMEOUT: must be at most 4h, the longest run codethread accepts",
    ]);
    const longest = loadConfig({ CODETHREAD_RUN_TIMEOUT: "4h" }, "/srv/bot").runs.timeoutMs;
    expect(longest).toBe(MaxRunTimeoutMs);
    expect(() => AgentRequest.validate({ prompt: "x", timeoutMs: longest })).not.toThrow();
    expect(() => AgentRequest.validate({ prompt: "x", timeoutMs: longest + 1 })).toThrow(/at most 240 minutes/);
    expect(loadConfig({}, "/srv/bot").runs.timeoutMs).toBe(DefaultRunTimeoutMs);
  });

  it("refuses half a pod configuration and an unconfirmed bypass policy", () => {
    expect(problems({ CODETHREAD_K8S_POD: "web-0" })).toEqual([expect.stringMatching(/set both/)]);
    expect(problems({ CODETHREAD_PERMISSION_POLICY: "bypass" })).toEqual([
      expect.stringMatching(/CODETHREAD_SANDBOX=1/),
    ]);
    expect(problems({ CODETHREAD_PERMISSION_POLICY: "bypass", CODETHREAD_SANDBOX: "1" })).toEqual([]);
  });

  it("gives thread worktrees their defaults and parses days and sizes", () => {
    const d = loadConfig({}, "/srv/bot").workspaces;
    expect(d).toEqual({
      gitBin: "git",
      worktreeDir: "/srv/bot/.codethread/worktrees",
      idleMs: 7 * 24 * 3_600_000,
      maxBytes: 20 * 1024 ** 3,
      committer: { name: "codethread", email: "codethread@users.noreply.invalid" },
      authorDomain: "users.noreply.invalid",
      pods: undefined,
    });
    const c = loadConfig(
      { CODETHREAD_WORKTREE_IDLE: "36h", CODETHREAD_WORKTREE_MAX_BYTES: "1.5G", CODETHREAD_WORKTREE_DIR: "wt" },
      "/srv/bot",
    ).workspaces;
    expect(c.idleMs).toBe(36 * 3_600_000);
    expect(c.maxBytes).toBe(1.5 * 1024 ** 3);
    expect(c.worktreeDir).toBe("/srv/bot/wt");
    expect(problems({ CODETHREAD_WORKTREE_IDLE: "a week", CODETHREAD_WORKTREE_MAX_BYTES: "lots" })).toEqual([
      'CODETHREAD_WORKTREE_IDLE: "a week" is not a duration (examples: 90s, 30m, 2h, 7d)',
      'CODETHREAD_WORKTREE_MAX_BYTES: "lots" is not a size (examples: 500M, 10G, 1T)',
    ]);
    expect(problems({ CODETHREAD_GIT_COMMITTER_EMAIL: "bot" })).toEqual([expect.stringMatching(/email address/)]);
  });

  it("takes a project-pod selector with a namespace, and refuses it without one", () => {
    const c = loadConfig(
      { CODETHREAD_K8S_NAMESPACE: "agents", CODETHREAD_K8S_PROJECT_SELECTOR: "app=codethread-workspace" },
      "/srv/bot",
    );
    expect(c.workspaces.pods).toEqual({
      namespace: "agents",
      selector: "app=codethread-workspace",
      container: undefined,
      context: undefined,
      root: "/workspace",
    });
    expect(c.claude.pod).toBeUndefined();
    expect(problems({ CODETHREAD_K8S_PROJECT_SELECTOR: "app=x" })).toEqual([
      expect.stringMatching(/CODETHREAD_K8S_PROJECT_SELECTOR: set CODETHREAD_K8S_NAMESPACE/),
    ]);
  });

  it("reads the stop grace and drain delay, and refuses a delay as long as the grace", () => {
    expect(loadConfig({}, "/srv/bot").shutdown).toEqual({ graceMs: 30_000, drainDelayMs: 0 });
    expect(loadConfig({ CODETHREAD_STOP_GRACE: "2m", CODETHREAD_DRAIN_DELAY: "5s" }, "/srv/bot").shutdown).toEqual({
      graceMs: 120_000,
      drainDelayMs: 5_000,
    });
    expect(problems({ CODETHREAD_STOP_GRACE: "5s", CODETHREAD_DRAIN_DELAY: "5s" })).toEqual([
      expect.stringMatching(/^CODETHREAD_DRAIN_DELAY: must be shorter than CODETHREAD_STOP_GRACE/),
    ]);
    expect(problems({ CODETHREAD_DRAIN_DELAY: "soon" })).toEqual([
      expect.stringMatching(/^CODETHREAD_DRAIN_DELAY: "soon" is not a duration/),
    ]);
  });

  it("never prints secret values", () => {
    const c = loadConfig(
      { SLACK_BOT_TOKEN: "xoxb-zq7secret", DATABASE_URL: "postgres://u:pw@h/db", CODETHREAD_SECRET_KEY: key },
      "/",
    );
    const shown = `${JSON.stringify(c)} ${inspect(c, { depth: 5 })} ${String(c.slack.botToken)}`;
    expect(shown).not.toContain("zq7secret");
    expect(shown).not.toContain("pw@");
    expect(shown).not.toContain(key);
    expect(c.slack.botToken?.reveal()).toBe("xoxb-zq7secret");
  });

  it("requires the Slack token and a mode to start", () => {
    expect(() => requireSlack(loadConfig({}, "/"))).toThrow(/SLACK_BOT_TOKEN.*\n.*SLACK_SIGNING_SECRET/s);
    expect(() =>
      requireSlack(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1-x" }, "/")),
    ).not.toThrow();
  });

  it("documents every variable in .env.example", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const source = readFileSync(new URL("../../src/config.ts", import.meta.url), "utf8");
    const vars = [...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]);
    expect(vars.length).toBeGreaterThan(20);
    for (const v of vars) expect(example, v).toMatch(new RegExp(`^${v}=`, "m"));
  });
});
