import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { installHint, pinnedBinPath, resolveAgentCli } from "../../src/agents/agent-clis.js";

/** A package root of its own: agent-clis.json, the installer, and optionally an installed version. */
function packageRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), "ct-agent-clis-"));
  copyFileSync("agent-clis.json", path.join(root, "agent-clis.json"));
  mkdirSync(path.join(root, "scripts"));
  copyFileSync("scripts/install-agents.mjs", path.join(root, "scripts", "install-agents.mjs"));
  return root;
}

function fakeInstall(root: string, version: string, marker: boolean): string {
  const bin = pinnedBinPath("claude-code", version, root);
  mkdirSync(path.dirname(bin), { recursive: true });
  writeFileSync(bin, `#!/bin/sh\necho '${version} (Claude Code)'\n`);
  chmodSync(bin, 0o755);
  if (marker) writeFileSync(path.join(root, ".agents", `claude-code@${version}`, ".installed.json"), "{}\n");
  return bin;
}

const installer = (root: string, ...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, "scripts", "install-agents.mjs"), ...args], { encoding: "utf8" });

describe("where the agent CLIs are", () => {
  it("CLAUDE_BIN wins; else the pinned default once installed; else `claude` on PATH", () => {
    const root = packageRoot();
    expect(resolveAgentCli("claude-code", undefined, root)).toEqual({
      id: "claude-code",
      bin: "claude",
      source: "path",
    });
    const bin = fakeInstall(root, "2.1.332", false);
    // Without the installer's marker the install is unfinished (interrupted): not used.
    expect(resolveAgentCli("claude-code", undefined, root).source).toBe("path");
    fakeInstall(root, "2.1.332", true);
    expect(resolveAgentCli("claude-code", undefined, root)).toEqual({
      id: "claude-code",
      bin,
      source: "pinned",
      version: "2.1.332",
    });
    expect(bin).toBe(path.join(root, ".agents", "claude-code@2.1.332", "node_modules", ".bin", "claude"));
    expect(resolveAgentCli("claude-code", "/opt/claude", root)).toMatchObject({
      bin: "/opt/claude",
      source: "configured",
    });
  });

  it("a missing CLI's hint names the install script, the vendor's install and the variable", () => {
    expect(installHint("claude-code")).toMatch(
      /npm run agents:install.*npm install -g @anthropic-ai\/claude-code.*CLAUDE_BIN/,
    );
    expect(installHint("opencode")).toMatch(/npm run agents:install.*npm install -g opencode-ai.*OPENCODE_BIN/);
  });
});

describe("npm run agents:install", () => {
  it("skips what is installed and prints where each binary is", () => {
    const root = packageRoot();
    const bin = fakeInstall(root, "2.1.197", true);
    const r = installer(root, "claude-code@2.1.197");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ claude-code 2\.1\.197 already installed/);
    expect(r.stdout).toContain(bin);
    expect(installer(root, "--print", "claude-code@2.1.197").stdout.trim()).toBe(bin);
  });

  it("refuses what is not pinned, and --print fails for what is not installed", () => {
    const root = packageRoot();
    const unknown = installer(root, "codex");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown agent CLI "codex" \(pinned: claude-code, opencode\)/);
    const unpinned = installer(root, "claude-code@1.0.0");
    expect(unpinned.stderr).toMatch(/claude-code 1\.0\.0 is not pinned .*agent-clis\.json/);
    const missing = installer(root, "--print", "opencode");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/opencode [\d.]+ is not installed; run: npm run agents:install/);
  });
});
