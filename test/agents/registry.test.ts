import { describe, expect, it } from "vitest";
import { ErrNoProviders, ErrProviderAlreadyRegistered, ErrUnknownProvider } from "../../src/agents/errors.js";
import type { CodeAgent } from "../../src/agents/port.js";
import { ProviderRegistry } from "../../src/agents/registry.js";

function fakeAgent(id: string): CodeAgent {
  return {
    id,
    async *execute() {},
    async cancel() {},
    async respondToPermission() {
      return false;
    },
    capabilities: () => ({
      resume: true,
      cancel: true,
      permissionPrompts: false,
      streamingText: false,
      costReporting: false,
    }),
    checkAvailability: async () => ({ available: true, version: "1" }),
  };
}

describe("ProviderRegistry", () => {
  it("makes the first registered provider the default", () => {
    const r = new ProviderRegistry().register(fakeAgent("claude-code")).register(fakeAgent("opencode"));
    expect(r.default().id).toBe("claude-code");
    expect(r.get().id).toBe("claude-code");
    expect(r.get("opencode").id).toBe("opencode");
    expect(r.ids()).toEqual(["claude-code", "opencode"]);
  });

  it("refuses to register the same provider twice", () => {
    const r = new ProviderRegistry().register(fakeAgent("opencode"));
    expect(() => r.register(fakeAgent("opencode"))).toThrow(ErrProviderAlreadyRegistered);
    expect(r.ids()).toEqual(["opencode"]);
  });

  it("names the known providers when asked for an unknown one", () => {
    const r = new ProviderRegistry().register(fakeAgent("claude-code")).register(fakeAgent("opencode"));
    expect(() => r.get("codex")).toThrow(ErrUnknownProvider);
    expect(() => r.get("codex")).toThrow(/Available: claude-code, opencode/);
  });

  it("fails clearly when nothing is registered", () => {
    expect(() => new ProviderRegistry().default()).toThrow(ErrNoProviders);
  });

  it("stays consistent under concurrent register and get", async () => {
    const r = new ProviderRegistry();
    const ids = Array.from({ length: 200 }, (_, i) => `p${i}`);
    const results = await Promise.allSettled(
      ids.flatMap((id) => [
        Promise.resolve().then(() => r.register(fakeAgent(id))),
        Promise.resolve().then(() => r.register(fakeAgent(id))),
        Promise.resolve().then(() => r.get(id).id),
      ]),
    );
    const rejected = results.filter((x) => x.status === "rejected");
    // Each id registered exactly once: one of its two registrations fails.
    expect(rejected).toHaveLength(ids.length);
    expect(r.ids()).toEqual(ids);
    expect(r.default().id).toBe("p0");
  });
});

describe("ProviderRegistry names and workspaces", () => {
  it("resolves aliases case-insensitively and refuses a name two providers would share", () => {
    const r = new ProviderRegistry().register(fakeAgent("claude-code"), {
      aliases: ["cc"],
      workspaces: ["local", "pod"],
    });
    expect(r.get("CC").id).toBe("claude-code");
    expect(() => r.register(fakeAgent("other"), { aliases: ["Cc"] })).toThrow(ErrProviderAlreadyRegistered);
    expect(() => r.register(fakeAgent("cc"))).toThrow(ErrProviderAlreadyRegistered);
    expect(r.ids()).toEqual(["claude-code"]);
  });

  it("a provider registered without traits runs in local workspaces only", () => {
    const r = new ProviderRegistry().register(fakeAgent("plain"));
    expect(r.supports("plain", "local")).toBe(true);
    expect(r.supports("plain", "pod")).toBe(false);
    expect(r.supports("nobody", "local")).toBe(false);
  });
});
