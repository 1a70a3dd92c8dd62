import { describe, expect, it } from "vitest";
import { claudeOptionsFromConfig } from "../../src/agents/claude/options.js";
import { opencodeOptionsFromConfig } from "../../src/agents/opencode/options.js";
import { createProviderRegistry } from "../../src/agents/providers.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import type { ThreadSession } from "../../src/store/thread-sessions.js";
import { defaultBuildRequest, defaultResolveWorkspace } from "../../src/worker/request-defaults.js";
import { runPayload } from "../support/queue-fixtures.js";

const session = (sessionId: string | null, provider = "claude-code"): ThreadSession => ({
  threadKey: "T1:C1:1700000000.000001",
  teamId: "T1",
  channelId: "C1",
  threadTs: "1700000000.000001",
  provider,
  sessionId,
  project: null,
  ownerUserId: "U1",
  createdAt: new Date(),
  updatedAt: new Date(),
  lastRunAt: null,
});

const pods = { CODETHREAD_K8S_NAMESPACE: "dev", CODETHREAD_K8S_POD: "box-0", CODETHREAD_WORKSPACE_DIR: "/srv/work" };

describe("worker defaults", () => {
  it("runs in the workspace directory when no pod is configured", async () => {
    const config = loadConfig({ CODETHREAD_WORKSPACE_DIR: "/srv/work" }, "/");
    const registry = await createProviderRegistry(config, silentLogger);
    const resolve = defaultResolveWorkspace(config, registry);
    for (const provider of ["claude-code", "opencode"]) {
      expect(resolve(session(null, provider), runPayload(1))).toEqual({ kind: "local", directory: "/srv/work" });
    }
    await registry.closeAll();
  });

  it("sends a run to the configured pod only when its provider runs in pods", async () => {
    const config = loadConfig(pods, "/");
    const registry = await createProviderRegistry(config, silentLogger);
    const resolve = defaultResolveWorkspace(config, registry);
    expect(resolve(session(null, "claude-code"), runPayload(1))).toMatchObject({
      kind: "pod",
      namespace: "dev",
      pod: "box-0",
      directory: "/workspace",
    });
    // OpenCode runs locally: the pod settings used to make every OpenCode run fail (workspace_unsupported).
    expect(resolve(session(null, "opencode"), runPayload(1))).toEqual({ kind: "local", directory: "/srv/work" });
    await registry.closeAll();
  });

  it("builds the request from the run settings and resumes the thread's session", () => {
    const config = loadConfig(
      { CODETHREAD_RUN_TIMEOUT: "5m", CODETHREAD_PERMISSION_POLICY: "ask", CLAUDE_MODEL: "opus" },
      "/",
    );
    const request = defaultBuildRequest(config)({
      jobId: "job-1",
      payload: runPayload(1, "fix it", { context: "U2: the build is red" }),
      session: session("sess-9"),
      workspace: { kind: "local", directory: "/w" },
      provider: "claude-code",
    });
    expect(request).toMatchObject({
      runId: "job-1",
      provider: "claude-code",
      sessionId: "sess-9",
      timeoutMs: 300_000,
      permissions: { mode: "ask", timeoutMs: 600_000, allowTools: ["Read", "Glob", "Grep"] },
    });
    expect(request.prompt).toMatch(/U2: the build is red[\s\S]*fix it$/);
    const fresh = defaultBuildRequest(config)({
      jobId: "job-2",
      payload: runPayload(1, "hi"),
      session: session(null),
      workspace: { kind: "local", directory: "/w" },
      provider: "opencode",
    });
    expect(fresh).toMatchObject({ sessionId: undefined, prompt: "hi" });
  });
});

describe("one permission policy from the configuration", () => {
  const cases: Record<string, string>[] = [
    {},
    { CODETHREAD_ALLOWED_TOOLS: "Read,Bash(git diff:*)" },
    { CODETHREAD_PERMISSION_POLICY: "ask" },
    {
      CODETHREAD_PERMISSION_POLICY: "ask",
      CODETHREAD_ALLOWED_TOOLS: "Bash,Read",
      CODETHREAD_PERMISSION_TIMEOUT: "90s",
    },
    { CODETHREAD_PERMISSION_POLICY: "bypass", CODETHREAD_SANDBOX: "1" },
    { CODETHREAD_PERMISSION_POLICY: "default" },
  ];
  it.each(cases)("worker requests and both providers' defaults agree: %o", (env) => {
    const config = loadConfig(env, "/");
    const worker = defaultBuildRequest(config)({
      jobId: "j",
      payload: runPayload(1, "hi"),
      session: session(null),
      workspace: { kind: "local", directory: "/w" },
      provider: "claude-code",
    }).permissions;
    expect(worker).toBeDefined();
    expect(claudeOptionsFromConfig(config, silentLogger).defaultPermissions).toEqual(worker);
    expect(opencodeOptionsFromConfig(config, silentLogger).defaultPermissions).toEqual(worker);
  });

  it("ask pre-approves only what CODETHREAD_ALLOWED_TOOLS lists, read-only tools when unset", () => {
    const policy = (env: Record<string, string>) =>
      claudeOptionsFromConfig(loadConfig(env, "/"), silentLogger).defaultPermissions;
    expect(policy({ CODETHREAD_PERMISSION_POLICY: "ask" })).toEqual({
      mode: "ask",
      timeoutMs: 600_000,
      allowTools: ["Read", "Glob", "Grep"],
    });
    expect(policy({ CODETHREAD_PERMISSION_POLICY: "ask", CODETHREAD_ALLOWED_TOOLS: "Bash" })).toMatchObject({
      allowTools: ["Bash"],
    });
    expect(policy({})).toEqual({ mode: "allow-tools", tools: ["Bash", "Read", "Write", "Edit", "Glob", "Grep"] });
  });
});
