import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { ThreadSession } from "../../src/store/thread-sessions.js";
import { defaultBuildRequest, defaultResolveWorkspace } from "../../src/worker/request-defaults.js";
import { runPayload } from "../support/queue-fixtures.js";

const session = (sessionId: string | null): ThreadSession => ({
  threadKey: "T1:C1:1700000000.000001",
  teamId: "T1",
  channelId: "C1",
  threadTs: "1700000000.000001",
  provider: "claude-code",
  sessionId,
  project: null,
  ownerUserId: "U1",
  createdAt: new Date(),
  updatedAt: new Date(),
  lastRunAt: null,
});

describe("worker defaults", () => {
  it("runs in the workspace directory, or in the configured pod", () => {
    const local = loadConfig({ CODETHREAD_WORKSPACE_DIR: "/srv/work" }, "/");
    expect(defaultResolveWorkspace(local)(session(null), runPayload(1))).toEqual({
      kind: "local",
      directory: "/srv/work",
    });
    const pod = loadConfig({ CODETHREAD_K8S_NAMESPACE: "dev", CODETHREAD_K8S_POD: "box-0" }, "/");
    expect(defaultResolveWorkspace(pod)(session(null), runPayload(1))).toMatchObject({
      kind: "pod",
      namespace: "dev",
      pod: "box-0",
      directory: "/workspace",
    });
  });

  it("builds the request from the run settings and resumes the thread's session", () => {
    const config = loadConfig(
      {
        CODETHREAD_RUN_TIMEOUT: "5m",
        CODETHREAD_PERMISSION_POLICY: "ask",
        CLAUDE_MODEL: "opus",
        CLAUDE_MAX_TURNS: "7",
      },
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
      model: "opus",
      maxTurns: 7,
      permissions: { mode: "ask", timeoutMs: 600_000, allowTools: ["Bash", "Read", "Write", "Edit", "Glob", "Grep"] },
    });
    expect(request.prompt).toMatch(/U2: the build is red[\s\S]*fix it$/);
    const fresh = defaultBuildRequest(config)({
      jobId: "job-2",
      payload: runPayload(1, "hi"),
      session: session(null),
      workspace: { kind: "local", directory: "/w" },
      provider: "opencode",
    });
    expect(fresh).toMatchObject({ sessionId: undefined, prompt: "hi", model: undefined, maxTurns: undefined });
  });
});
