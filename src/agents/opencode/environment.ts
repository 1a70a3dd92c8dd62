import type { InheritPolicy } from "../../process/env.js";

/**
 * What `opencode serve` (and so every tool it runs) may inherit from the bot's environment, on
 * top of the base list of src/process/env.ts: its OPENCODE_* configuration (OPENCODE_CONFIG,
 * OPENCODE_CONFIG_CONTENT, OPENCODE_DISABLE_*…; not OPENCODE_SERVER_*, which the provider sets
 * itself) and the API keys of the common model providers. Others go in CODETHREAD_AGENT_ENV.
 */
export const OpenCodeInherit: InheritPolicy = {
  names: [
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENROUTER_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENERATIVE_AI_API_KEY",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
    "DEEPSEEK_API_KEY",
    "XAI_API_KEY",
  ],
  prefixes: ["OPENCODE_"],
};
