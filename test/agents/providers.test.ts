import { describe, expect, it } from "vitest";
import { createProviderRegistry, findProvider, providers } from "../../src/agents/providers.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";

const registry = (names: string, env: Record<string, string> = {}, only?: string) =>
  createProviderRegistry(loadConfig({ CODETHREAD_PROVIDERS: names, ...env }, "/tmp"), silentLogger, { only });

describe("providers from the configuration", () => {
  it("registers them in the configured order, the first as default", async () => {
    const r = await registry("opencode, claude-code");
    expect(r.ids()).toEqual(["opencode", "claude-code"]);
    expect(r.default().id).toBe("opencode");
    await r.closeAll();
  });

  it("accepts aliases, in any case, in CODETHREAD_PROVIDERS and in lookups", async () => {
    const r = await registry("OC, cc");
    expect(r.ids()).toEqual(["opencode", "claude-code"]);
    for (const [name, id] of [
      ["claude", "claude-code"],
      ["CC", "claude-code"],
      ["Claude-Code", "claude-code"],
      ["oc", "opencode"],
    ] as const) {
      expect(r.resolve(name)).toBe(id);
      expect(r.has(name)).toBe(true);
      expect(r.get(name).id).toBe(id);
    }
    expect(r.resolve("codex")).toBeUndefined();
    await r.closeAll();
  });

  it("refuses an unknown or repeated agent before anything starts", async () => {
    await expect(registry("claude-code,codex,claude-code")).rejects.toThrow(ConfigError);
    await expect(registry("claude-code,codex,claude-code")).rejects.toThrow(
      /unknown agent "codex" \(built in: claude-code \(or claude, cc\), opencode \(or oc\)\)[\s\S]*"claude-code" is listed twice/,
    );
    await expect(registry("cc,claude")).rejects.toThrow(/"claude-code" is listed twice \(as "claude"\)/);
  });
});

describe("provider descriptors", () => {
  it("each names its workspace kinds, aliases, replayer and an availability hint", async () => {
    expect(providers.map((p) => [p.id, p.workspaces, p.aliases])).toEqual([
      ["claude-code", ["local", "pod"], ["claude", "cc"]],
      ["opencode", ["local"], ["oc"]],
    ]);
    for (const p of providers) {
      expect(typeof (await p.loadReplayer())).toBe("function");
      expect(p.availabilityHint).toMatch(/install/i);
      expect(findProvider(p.id)).toBe(p);
      for (const alias of p.aliases) expect(findProvider(alias.toUpperCase())).toBe(p);
    }
  });

  it("an agent reports the capabilities its descriptor declares, and the registry knows its workspaces", async () => {
    const r = await registry("claude-code,opencode", { CODETHREAD_K8S_NAMESPACE: "n", CODETHREAD_K8S_POD: "p" });
    for (const p of providers) {
      expect(r.get(p.id).capabilities()).toEqual(p.capabilities);
      for (const kind of ["local", "pod"] as const) expect(r.supports(p.id, kind)).toBe(p.workspaces.includes(kind));
    }
    await r.closeAll();
  });

  it("builds only the provider asked for (codethread run), the first configured for 'default'", async () => {
    expect((await registry("opencode, claude-code", {}, "default")).ids()).toEqual(["opencode"]);
    expect((await registry("opencode, claude-code", {}, "claude-code")).ids()).toEqual(["claude-code"]);
    await expect(registry("claude-code", {}, "opencode")).rejects.toThrow(
      /Unknown agent "opencode". Available: claude-code/,
    );
  });
});
