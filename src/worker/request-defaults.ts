import type { AgentProvider, AgentRequest, PermissionPolicy, Workspace } from "../agents/request.js";
import { ClaudeCodeProvider, OpenCodeProvider } from "../agents/request.js";
import type { Config } from "../config.js";
import type { ThreadSession } from "../store/thread-sessions.js";
import type { AgentRunPayload } from "./agent-run-payload.js";

export type WorkerConfig = Pick<Config, "workspaceDir" | "runs" | "claude" | "opencode">;

/** Where a thread's agent works. May be async (a per-thread worktree, a provisioned pod). */
export type ResolveWorkspace = (session: ThreadSession, payload: AgentRunPayload) => Workspace | Promise<Workspace>;

export interface BuildRequestInput {
  jobId: string;
  payload: AgentRunPayload;
  session: ThreadSession;
  workspace: Workspace;
  provider: AgentProvider;
}

/** The AgentRequest for one turn. `runId` must be the job id (cancel and permissions use it). */
export type BuildRequest = (input: BuildRequestInput) => AgentRequest;

/** The configured pod when CODETHREAD_K8S_* is set, else the local workspace directory. */
export function defaultResolveWorkspace(config: Pick<Config, "workspaceDir" | "claude">): ResolveWorkspace {
  return () => {
    const pod = config.claude.pod;
    if (pod) {
      return {
        kind: "pod",
        namespace: pod.namespace,
        pod: pod.pod,
        container: pod.container,
        context: pod.context,
        directory: pod.directory,
      };
    }
    return { kind: "local", directory: config.workspaceDir };
  };
}

export function permissionPolicy(runs: Config["runs"]): PermissionPolicy {
  switch (runs.permissionPolicy) {
    case "ask":
      return { mode: "ask", timeoutMs: runs.permissionTimeoutMs, allowTools: runs.allowedTools };
    case "allow-tools":
      return { mode: "allow-tools", tools: runs.allowedTools };
    case "bypass":
      return { mode: "bypass" };
    case "default":
      return { mode: "default" };
  }
}

/** The prompt with the thread's earlier discussion in front, when the bot was mentioned inside one. */
export function promptWithContext(payload: AgentRunPayload): string {
  if (!payload.context) return payload.prompt;
  return `Earlier messages in this Slack thread:\n${payload.context}\n\nRequest:\n${payload.prompt}`;
}

/** Timeout, permission policy, allowed tools and model from the configuration. */
export function defaultBuildRequest(config: Pick<Config, "runs" | "claude" | "opencode">): BuildRequest {
  return ({ jobId, payload, session, workspace, provider }) => ({
    runId: jobId,
    prompt: promptWithContext(payload),
    provider,
    sessionId: session.sessionId ?? undefined,
    workspace,
    timeoutMs: config.runs.timeoutMs,
    permissions: permissionPolicy(config.runs),
    model:
      provider === ClaudeCodeProvider
        ? config.claude.model
        : provider === OpenCodeProvider
          ? config.opencode.model
          : undefined,
    maxTurns: provider === ClaudeCodeProvider ? config.claude.maxTurns : undefined,
  });
}
