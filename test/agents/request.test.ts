import { describe, expect, it } from "vitest";
import { ErrInvalidTimeout, ErrPromptRequired, ErrPromptTooLong } from "../../src/agents/errors.js";
import { AgentRequest, MaxPromptBytes, MaxRunTimeoutMs } from "../../src/agents/request.js";

const ok = { prompt: "fix the build", timeoutMs: 60_000 };

describe("AgentRequest.validate", () => {
  it("accepts a normal prompt and timeout", () => {
    expect(() => AgentRequest.validate(ok)).not.toThrow();
  });

  it.each(["", "   ", "\n\t "])("rejects the blank prompt %j with ErrPromptRequired", (prompt) => {
    expect(() => AgentRequest.validate({ ...ok, prompt })).toThrow(ErrPromptRequired);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, MaxRunTimeoutMs + 1])("rejects timeout %s", (timeoutMs) => {
    expect(() => AgentRequest.validate({ ...ok, timeoutMs })).toThrow(ErrInvalidTimeout);
  });

  it("accepts a 200 KB prompt and rejects one over the limit, counting UTF-8 bytes", () => {
    expect(() => AgentRequest.validate({ ...ok, prompt: "x".repeat(200 * 1024) })).not.toThrow();
    // 3 bytes per character: under the limit in characters, over it in bytes.
    const wide = "€".repeat(Math.ceil(MaxPromptBytes / 3) + 1);
    const err = (() => {
      try {
        AgentRequest.validate({ ...ok, prompt: wide });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ErrPromptTooLong);
    expect((err as ErrPromptTooLong).code).toBe("prompt_too_long");
    expect((err as ErrPromptTooLong).context).toMatchObject({ maxBytes: MaxPromptBytes });
  });

  it("gives errors stable codes and user-readable messages", () => {
    try {
      AgentRequest.validate({ ...ok, prompt: " " });
    } catch (e) {
      expect((e as ErrPromptRequired).code).toBe("prompt_required");
      expect((e as ErrPromptRequired).message).toMatch(/prompt is empty/);
    }
    expect.assertions(2);
  });
});
