/**
 * The model names a provider accepts in `model=NAME` (a descriptor field), checked before a run
 * is queued so a typo is refused with the accepted forms instead of failing inside the agent.
 */
export interface ModelNames {
  /** The accepted forms, for people (mrkdwn): "an alias (`sonnet`, `opus`) or a full id such as `claude-…`". */
  readonly forms: string;
  accepts(name: string): boolean;
}

/** Longest model name accepted (ids such as `openrouter/anthropic/claude-sonnet-4-5-20250929` fit). */
export const MaxModelNameChars = 120;

/** `accepts` with the shared rules: bounded, no whitespace or control characters, not an option. */
export function modelNames(forms: string, accepts: (name: string) => boolean): ModelNames {
  return {
    forms,
    accepts: (name) =>
      name.length > 0 &&
      name.length <= MaxModelNameChars &&
      !name.startsWith("-") &&
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      !/[\s\u0000-\u001f\u007f]/.test(name) &&
      accepts(name),
  };
}
