import { CodethreadError } from "../errors.js";

/** The prompt is empty or only whitespace. */
export class ErrPromptRequired extends CodethreadError {
  constructor() {
    super("prompt_required", "The prompt is empty: tell the agent what to do, e.g. `/agent fix the failing test`.");
  }
}

/** The timeout is not a positive duration, or is above the maximum. */
export class ErrInvalidTimeout extends CodethreadError {
  constructor(timeoutMs: number, maxMs: number) {
    super(
      "invalid_timeout",
      `The timeout must be a positive duration of at most ${Math.round(maxMs / 60_000)} minutes (got ${timeoutMs} ms).`,
      { timeoutMs, maxMs },
    );
  }
}

/** The prompt is larger than an agent CLI or API accepts. */
export class ErrPromptTooLong extends CodethreadError {
  constructor(bytes: number, maxBytes: number) {
    super(
      "prompt_too_long",
      `The prompt is ${Math.ceil(bytes / 1024)} KB; the limit is ${Math.floor(maxBytes / 1024)} KB. Put long material in a file in the workspace and refer to it.`,
      { bytes, maxBytes },
    );
  }
}

/** No provider with that id is registered. */
export class ErrUnknownProvider extends CodethreadError {
  constructor(provider: string, known: readonly string[]) {
    super(
      "unknown_provider",
      `Unknown agent "${provider}". Available: ${known.length ? known.join(", ") : "none registered"}.`,
      { provider, known: [...known] },
    );
  }
}

/** A provider id was registered twice. */
export class ErrProviderAlreadyRegistered extends CodethreadError {
  constructor(provider: string) {
    super("provider_already_registered", `Agent provider "${provider}" is already registered.`, { provider });
  }
}

/** No provider is registered at all. */
export class ErrNoProviders extends CodethreadError {
  constructor() {
    super("no_providers", "No agent provider is registered.");
  }
}

/** The agent cannot be started or reached (binary missing, server down). */
export class ErrAgentUnavailable extends CodethreadError {
  constructor(provider: string, reason: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super("agent_unavailable", `The ${provider} agent is unavailable: ${reason}`, { provider, ...context }, { cause });
  }
}

/** The session to resume does not exist any more (expired, deleted, other machine). */
export class ErrSessionNotFound extends CodethreadError {
  constructor(provider: string, sessionId: string) {
    super(
      "session_not_found",
      `The ${provider} session ${sessionId} no longer exists. Start a new thread to begin a fresh session.`,
      { provider, sessionId },
    );
  }
}

/** The agent's process or server misbehaved (garbage output, protocol error). */
export class ErrAgentProtocol extends CodethreadError {
  constructor(provider: string, message: string, context: Record<string, unknown> = {}) {
    super("agent_protocol", `${provider}: ${message}`, { provider, ...context });
  }
}

/** A file given to `codethread replay` holds nothing in the provider's transcript format. */
export class ErrNotATranscript extends CodethreadError {
  constructor(provider: string, why: string) {
    super("not_a_transcript", `This is not a ${provider} transcript: ${why}.`, { provider });
  }
}

/** A transcript stops before its run ended (cut off while recording or copying). */
export class ErrTranscriptTruncated extends CodethreadError {
  constructor(provider: string, why: string) {
    super(
      "transcript_truncated",
      `The ${provider} transcript is incomplete: ${why}. The events above are all it holds; its outcome is unknown.`,
      { provider },
    );
  }
}
