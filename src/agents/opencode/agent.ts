import type { AgentEvent } from "../events.js";
import {
  type Availability,
  boundedAvailability,
  type Capabilities,
  type CodeAgent,
  type ExecuteOptions,
  type PermissionDecision,
} from "../port.js";
import { AgentRequest, OpenCodeProvider } from "../request.js";
import { OpenCodeClient } from "./client.js";
import { OpenCodeCapabilities } from "./descriptor.js";
import { binaryVersion, EmbeddedServer } from "./embedded-server.js";
import type { OpenCodeOptions } from "./options.js";
import { OpenCodeRun } from "./run.js";

/**
 * The OpenCode provider: drives `opencode serve` over HTTP + SSE. With `url` it uses that
 * server; without, it starts `opencode serve` on 127.0.0.1 on first use and stops it on `close()`.
 */
export function createOpenCodeAgent(options: OpenCodeOptions): CodeAgent {
  const log = options.log;
  const embedded = options.url
    ? undefined
    : new EmbeddedServer({
        bin: options.bin ?? "opencode",
        env: options.serverEnv,
        agentEnv: options.agentEnv,
        processDir: options.processDir,
        cwd: options.serverCwd,
        startTimeoutMs: options.startTimeoutMs,
        username: options.username,
        password: options.password,
        log,
      });
  const runs = new Map<string, OpenCodeRun>();
  let client: { url: string; client: OpenCodeClient } | undefined;

  const clientFor = (url: string): OpenCodeClient => {
    if (client?.url !== url) {
      client = {
        url,
        client: new OpenCodeClient({
          baseUrl: url,
          username: options.username,
          password: options.password,
          timeoutMs: options.httpTimeoutMs,
        }),
      };
    }
    return client.client;
  };
  const connect = async () => clientFor(options.url ?? (await embedded!.ensure()));

  return {
    id: OpenCodeProvider,

    async *execute(request: AgentRequest, execOptions: ExecuteOptions = {}): AsyncIterable<AgentEvent> {
      AgentRequest.validate(request);
      const run = new OpenCodeRun(request, {
        connect,
        serverExited: () => embedded?.exited() ?? new Promise(() => {}),
        options,
        log: log.child({ runId: request.runId }),
      });
      runs.set(request.runId, run);
      const onAbort = () => void run.cancel();
      execOptions.signal?.addEventListener("abort", onAbort, { once: true });
      if (execOptions.signal?.aborted) onAbort();
      const driving = run.drive();
      let finished = false;
      try {
        for await (const event of run.queue) {
          if (event.type === "result") finished = true;
          yield event;
        }
      } finally {
        execOptions.signal?.removeEventListener("abort", onAbort);
        // The consumer stopped early: stop the agent too.
        if (!finished) await run.cancel();
        await driving;
        if (runs.get(request.runId) === run) runs.delete(request.runId);
      }
    },

    async cancel(runId: string): Promise<void> {
      await runs.get(runId)?.cancel();
    },

    async respondToPermission(runId: string, requestId: string, decision: PermissionDecision): Promise<boolean> {
      return (await runs.get(runId)?.respond(requestId, decision)) ?? false;
    },

    capabilities(): Capabilities {
      return { ...OpenCodeCapabilities };
    },

    checkAvailability(opts: { timeoutMs?: number } = {}): Promise<Availability> {
      return boundedAvailability(async (signal) => {
        if (options.url || embedded?.started) {
          const url = options.url ?? (await embedded!.ensure());
          const health = await clientFor(url).health(signal);
          return health.healthy
            ? { available: true, version: health.version, detail: url }
            : { available: false, reason: `${url} reports itself unhealthy` };
        }
        const version = await binaryVersion(options.bin ?? "opencode", signal, {
          env: options.serverEnv,
          agentEnv: options.agentEnv,
        });
        return { available: true, version, detail: "embedded server (starts on first run)" };
      }, opts.timeoutMs);
    },

    async close(): Promise<void> {
      await Promise.allSettled([...runs.values()].map((r) => r.cancel()));
      await embedded?.stop();
    },
  };
}
