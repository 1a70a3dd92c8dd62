import { describe, expect, it } from "vitest";
import { createProviderRegistry } from "../../src/agents/providers.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";

const registry = (providers: string, only?: string) =>
  createProviderRegistry(loadConfig({ CODETHREAD_PROVIDERS: providers }, "/tmp"), silentLogger, { only });

describe("providers from the configuration", () => {
  it("registers them in the configured order, the first as default", async () => {
    const r = await registry("opencode, claude-code");
    expect(r.ids()).toEqual(["opencode", "claude-code"]);
    expect(r.default().id).toBe("opencode");
    await r.closeAll();
  });

  it("refuses an unknown or repeated agent before anything starts", async () => {
    await expect(registry("claude-code,codex,claude-code")).rejects.toThrow(ConfigError);
    await expect(registry("claude-code,codex,claude-code")).rejects.toThrow(
      /unknown agent "codex" \(built in: claude-code, opencode\)[\s\S]*"claude-code" is listed twice/,
    );
  });

  it("builds only the provider asked for (codethread run), the first configured for 'default'", async () => {
    expect((await registry("opencode, claude-code", "default")).ids()).toEqual(["opencode"]);
    expect((await registry("opencode, claude-code", "claude-code")).ids()).toEqual(["claude-code"]);
    await expect(registry("claude-code", "opencode")).rejects.toThrow(
      /Unknown agent "opencode". Available: claude-code/,
    );
  });
});
