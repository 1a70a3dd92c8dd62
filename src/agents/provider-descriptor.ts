import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { AgentEvent } from "./events.js";
import type { Capabilities, CodeAgent } from "./port.js";
import type { ProviderTraits } from "./registry.js";
import type { AgentProvider, WorkspaceKind } from "./request.js";

/**
 * Normalizes a recorded vendor transcript (one line per item, in order) to the AgentEvent
 * stream a live run of it emitted, ending with one `result`. Throws `ErrNotATranscript` when
 * nothing in the input is the vendor's format, and `ErrTranscriptTruncated` (after the events
 * it could read) when the transcript stops before its run's end.
 */
export type Replayer = (lines: AsyncIterable<string>, options?: { cwd?: string }) => AsyncIterable<AgentEvent>;

/**
 * Everything codethread knows about one provider, in one place (`src/agents/<provider>/descriptor.ts`,
 * listed in `src/agents/providers.ts`): a new provider is its folder plus one descriptor line.
 */
export interface ProviderDescriptor extends ProviderTraits {
  readonly id: AgentProvider;
  /** Its name for people ("Claude Code"). */
  readonly title: string;
  /** Other names accepted in `agent=` and CODETHREAD_PROVIDERS (lower case). */
  readonly aliases: readonly string[];
  /** Workspace kinds it runs in; the worker uses a pod only for providers that list `pod`. */
  readonly workspaces: readonly WorkspaceKind[];
  /** What its agents can do (the same object `CodeAgent.capabilities()` returns). */
  readonly capabilities: Capabilities;
  /**
   * Its agent, with options read from its part of the validated configuration. The provider's code
   * is imported here, not when the descriptor is: `--help`, `replay` of another provider and `run`
   * with one provider never load the others (start-up time, see bench/startup.ts).
   */
  create(config: Config, log: Logger | undefined): Promise<CodeAgent>;
  /** `codethread replay --provider ID FILE` (imported on use, like `create`). */
  loadReplayer(): Promise<Replayer>;
  /** What an operator does when it is unavailable (install it, point at it); `codethread doctor` prints it. */
  readonly availabilityHint: string;
}
