import { describe, expect, it } from "vitest";
import { createProviderRegistry } from "../../src/agents/providers.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";

const registry = (providers: string) =>
  createProviderRegistry(loadConfig({ CODETHREAD_PROVIDERS: providers }, "/tmp"), silentLogger);

describe("providers from the configuration", () => {
  it("registers them in the configured order, the first as default", async () => {
    const r = registry("opencode, claude-code");
    expect(r.ids()).toEqual(["opencode", "claude-code"]);
    expect(r.default().id).toBe("opencode");
    await r.closeAll();
  });

  it("refuses an unknown or repeated agent before anything starts", () => {
    expect(() => registry("claude-code,codex,claude-code")).toThrow(ConfigError);
    expect(() => registry("claude-code,codex,claude-code")).toThrow(
      /unknown agent "codex" \(built in: claude-code, opencode\)[\s\S]*"claude-code" is listed twice/,
    );
  });
});
