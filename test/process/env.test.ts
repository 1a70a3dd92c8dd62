import { describe, expect, it } from "vitest";
import { ClaudeInherit, KubectlInherit } from "../../src/agents/claude/environment.js";
import { claudeOptionsFromConfig } from "../../src/agents/claude/options.js";
import { OpenCodeInherit } from "../../src/agents/opencode/environment.js";
import { opencodeOptionsFromConfig } from "../../src/agents/opencode/options.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { childEnv, isBotPrivate } from "../../src/process/env.js";

/** What a bot's environment looks like: its own secrets next to what agents need. */
const bot: NodeJS.ProcessEnv = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/bot",
  USER: "bot",
  SHELL: "/bin/bash",
  TMPDIR: "/tmp/bot",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TERM: "xterm",
  TZ: "UTC",
  XDG_CONFIG_HOME: "/home/bot/.config",
  HTTPS_PROXY: "http://proxy:3128",
  no_proxy: "localhost",
  SLACK_BOT_TOKEN: "bot-token-value",
  SLACK_SIGNING_SECRET: "signing-value",
  SLACK_APP_TOKEN: "app-token-value",
  DATABASE_URL: "postgresql://db",
  TEST_DATABASE_URL: "postgresql://testdb",
  CODETHREAD_SECRET_KEY: "key-value",
  CODETHREAD_ALLOWED_USERS: "U1",
  GITEA_TOKEN: "gitea-value",
  GITEA_URL: "https://git",
  WOODPECKER_API_TOKEN: "woodpecker-value",
  OPENCODE_SERVER_PASSWORD: "server-password",
  OPENCODE_URL: "http://opencode",
  CLAUDE_BIN: "/opt/claude",
  ANTHROPIC_API_KEY: "anthropic-value",
  ANTHROPIC_BASE_URL: "https://gateway",
  CLAUDE_CODE_MAX_RETRIES: "2",
  CLAUDE_CODE_FAKE_TOKEN: "prefix-matched-secret",
  OPENCODE_CONFIG_CONTENT: "{}",
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  AWS_SECRET_ACCESS_KEY: "aws-value",
  ACME_DEPLOY_TOKEN: "unrelated-secret",
  RANDOM_SETTING: "x",
  XDG_SESSION_TOKEN: "shaped-like-a-secret",
};

const names = (env: Record<string, string>) => Object.keys(env).sort();

describe("the child environment (one function for every process)", () => {
  it("inherits only the base list: path, home, user, shell, temp, locale, terminal, time zone, XDG, proxies", () => {
    expect(names(childEnv({}, bot))).toEqual(
      [
        "PATH",
        "HOME",
        "USER",
        "SHELL",
        "TMPDIR",
        "LANG",
        "LC_ALL",
        "TERM",
        "TZ",
        "XDG_CONFIG_HOME",
        "HTTPS_PROXY",
        "no_proxy",
      ].sort(),
    );
  });

  it("claude: its credentials and CLAUDE_CODE_* settings, never a bot secret or a prefix-matched secret", () => {
    const env = childEnv({ inherit: [ClaudeInherit] }, bot);
    expect(env).toMatchObject({
      ANTHROPIC_API_KEY: "anthropic-value",
      ANTHROPIC_BASE_URL: "https://gateway",
      CLAUDE_CODE_MAX_RETRIES: "2",
    });
    for (const name of ["CLAUDE_CODE_FAKE_TOKEN", "CLAUDE_BIN", "OPENCODE_CONFIG_CONTENT", "SLACK_BOT_TOKEN"])
      expect(env[name], name).toBeUndefined();
  });

  it("opencode: its OPENCODE_* configuration but not the server's password or codethread's OPENCODE_URL", () => {
    const env = childEnv({ inherit: [OpenCodeInherit] }, bot);
    expect(env).toMatchObject({ OPENCODE_CONFIG_CONTENT: "{}", OPENCODE_DISABLE_AUTOUPDATE: "1" });
    expect(env.ANTHROPIC_API_KEY).toBe("anthropic-value");
    expect(env.OPENCODE_SERVER_PASSWORD).toBeUndefined();
    expect(env.OPENCODE_URL).toBeUndefined();
    expect(env.CLAUDE_CODE_MAX_RETRIES).toBeUndefined();
  });

  it("no policy lets a bot secret through, even when an operator lists it", () => {
    const secrets = Object.keys(bot).filter(isBotPrivate);
    expect(secrets.sort()).toEqual(
      [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "DATABASE_URL",
        "TEST_DATABASE_URL",
        "CODETHREAD_SECRET_KEY",
        "CODETHREAD_ALLOWED_USERS",
        "GITEA_TOKEN",
        "GITEA_URL",
        "WOODPECKER_API_TOKEN",
        "OPENCODE_SERVER_PASSWORD",
        "OPENCODE_URL",
        "CLAUDE_BIN",
      ].sort(),
    );
    const env = childEnv({ inherit: [ClaudeInherit, OpenCodeInherit, KubectlInherit, { names: secrets }] }, bot);
    for (const name of secrets) expect(env[name], name).toBeUndefined();
  });

  it("CODETHREAD_AGENT_ENV names pass by exact name, secret-shaped or not; unlisted ones do not", () => {
    const env = childEnv({ inherit: [{ names: ["AWS_SECRET_ACCESS_KEY", "RANDOM_SETTING"] }] }, bot);
    expect(env).toMatchObject({ AWS_SECRET_ACCESS_KEY: "aws-value", RANDOM_SETTING: "x" });
    expect(env.ACME_DEPLOY_TOKEN).toBeUndefined();
    expect(env.XDG_SESSION_TOKEN).toBeUndefined(); // XDG_ prefix, but shaped like a secret
  });

  it("values the caller sets are applied as given, then the unset list removes names", () => {
    const env = childEnv(
      { set: { CLAUDE_CONFIG_DIR: "/cfg", OPENCODE_SERVER_PASSWORD: "own", HOME: "/sandbox" }, unset: ["TZ"] },
      { ...bot, IS_SANDBOX: "1" },
    );
    expect(env).toMatchObject({ CLAUDE_CONFIG_DIR: "/cfg", OPENCODE_SERVER_PASSWORD: "own", HOME: "/sandbox" });
    expect(env.TZ).toBeUndefined();
    expect(env.IS_SANDBOX).toBeUndefined();
  });
});

describe("CODETHREAD_AGENT_ENV", () => {
  it("is a comma list that reaches both providers' options, with the process record directory", () => {
    const config = loadConfig(
      { CODETHREAD_AGENT_ENV: "AWS_REGION, AWS_SECRET_ACCESS_KEY", CODETHREAD_DATA_DIR: "/d" },
      "/",
    );
    expect(config.runs.agentEnv).toEqual(["AWS_REGION", "AWS_SECRET_ACCESS_KEY"]);
    expect(claudeOptionsFromConfig(config, silentLogger)).toMatchObject({
      agentEnv: ["AWS_REGION", "AWS_SECRET_ACCESS_KEY"],
      processDir: "/d/processes",
    });
    expect(opencodeOptionsFromConfig(config, silentLogger)).toMatchObject({
      agentEnv: ["AWS_REGION", "AWS_SECRET_ACCESS_KEY"],
      processDir: "/d/processes",
    });
    expect(loadConfig({}, "/").runs.agentEnv).toEqual([]);
  });

  it("refuses codethread's own secrets and names that are not variable names, saying why", () => {
    const thrown = (() => {
      try {
        loadConfig({ CODETHREAD_AGENT_ENV: "SLACK_BOT_TOKEN,bad-name" }, "/");
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      "CODETHREAD_AGENT_ENV: SLACK_BOT_TOKEN is codethread's own secret or setting and never reaches an agent",
      'CODETHREAD_AGENT_ENV: "bad-name" is not a variable name',
    ]);
  });
});
