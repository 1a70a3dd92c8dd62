import { existsSync } from "node:fs";
import path from "node:path";
import type { AgentEvent } from "../events.js";
import {
  type Availability,
  boundedAvailability,
  type Capabilities,
  type CodeAgent,
  type ExecuteOptions,
  type PermissionDecision,
} from "../port.js";
import { AgentRequest, ClaudeCodeProvider, type PermissionPolicy } from "../request.js";
import { probeVersion } from "./availability.js";
import { ClaudeRun, type RunPlan } from "./claude-run.js";
import { configDirFor } from "./config-dir.js";
import { ClaudeCodeCapabilities } from "./descriptor.js";
import { ClaudeInherit } from "./environment.js";
import { KubectlRunner } from "./kubectl-runner.js";
import { LocalRunner } from "./local-runner.js";
import type { ClaudeCodeOptions } from "./options.js";
import type { RunnerEnvironment } from "./runner.js";
import { ClaudeSessionFiles } from "./session-files.js";

const DefaultPodConfigRoot = "/tmp/codethread-claude";

function failed(errorCode: string, error: string): AgentEvent {
  return { type: "result", result: { outcome: "failed", text: "", durationMs: 0, errorCode, error } };
}

/** The Claude Code provider: the `claude` CLI in headless stream-json mode, locally or in a pod. */
export class ClaudeCodeAgent implements CodeAgent {
  readonly id = ClaudeCodeProvider;
  readonly #options: ClaudeCodeOptions;
  readonly #runs = new Map<string, ClaudeRun>();
  /** Transcripts of local workspaces, so another replica can resume them (pods keep theirs in the pod). */
  readonly sessionFiles: ClaudeSessionFiles;

  constructor(options: ClaudeCodeOptions) {
    this.#options = options;
    this.sessionFiles = new ClaudeSessionFiles(options.configRoot);
  }

  /** What the CLI's processes inherit and set (src/process/env.ts), and where they are recorded. */
  #environment(): RunnerEnvironment {
    const o = this.#options;
    return { env: o.env, inherit: [ClaudeInherit, { names: o.agentEnv ?? [] }], recordDir: o.processDir };
  }

  execute(request: AgentRequest, options: ExecuteOptions = {}): AsyncIterable<AgentEvent> {
    AgentRequest.validate(request);
    return this.#execute(request, options);
  }

  async *#execute(request: AgentRequest, options: ExecuteOptions): AsyncGenerator<AgentEvent> {
    const policy: PermissionPolicy = request.permissions ?? this.#options.defaultPermissions;
    if (policy.mode === "bypass" && !this.#options.sandbox) {
      yield failed(
        "permission_policy",
        "The bypass permission policy needs a workspace the operator declared a sandbox (CODETHREAD_SANDBOX=1).",
      );
      return;
    }
    const plan = this.#plan(request, policy);
    if (typeof plan === "string") {
      yield failed("workspace_missing", plan);
      return;
    }
    if (this.#runs.has(request.runId)) {
      yield failed("run_in_progress", `A run with id ${request.runId} is already in progress.`);
      return;
    }
    const run = new ClaudeRun(plan);
    this.#runs.set(request.runId, run);
    const onAbort = () => void run.cancel("cancelled");
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      yield* run.events();
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      this.#runs.delete(request.runId);
    }
  }

  #plan(request: AgentRequest, policy: PermissionPolicy): RunPlan | string {
    const o = this.#options;
    const w = request.workspace;
    if (w.kind === "local") {
      const cwd = path.resolve(w.directory);
      if (!existsSync(cwd)) return `The workspace directory ${cwd} does not exist.`;
      return {
        request,
        policy,
        runner: new LocalRunner(this.#environment()),
        bin: o.bin,
        cwd,
        configDir: configDirFor(path.resolve(o.configRoot), w),
        options: o,
      };
    }
    return {
      request,
      policy,
      runner: new KubectlRunner(o.kubectlBin, w, this.#environment()),
      bin: o.podBin ?? "claude",
      cwd: w.directory,
      configDir: configDirFor(o.podConfigRoot ?? DefaultPodConfigRoot, w),
      options: o,
    };
  }

  async cancel(runId: string): Promise<void> {
    await this.#runs.get(runId)?.cancel("cancelled");
  }

  async respondToPermission(runId: string, requestId: string, decision: PermissionDecision): Promise<boolean> {
    return this.#runs.get(runId)?.respond(requestId, decision) ?? false;
  }

  capabilities(): Capabilities {
    return { ...ClaudeCodeCapabilities };
  }

  checkAvailability(options: { timeoutMs?: number } = {}): Promise<Availability> {
    const { env, inherit } = this.#environment();
    return boundedAvailability(
      (signal) => probeVersion({ bin: this.#options.bin, args: ["--version"], env, inherit }, signal),
      options.timeoutMs,
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.#runs.values()].map((r) => r.cancel("cancelled")));
  }
}
