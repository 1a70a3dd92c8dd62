import { type ModelNames, modelNames } from "../model-names.js";

/**
 * `provider/model` as OpenCode names models (its config's provider id, a slash, the model id;
 * model ids may hold more slashes, e.g. `openrouter/anthropic/claude-sonnet-4`).
 */
const ProviderModel = /^[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9][\w.:@/+-]*$/i;

/** What `model=` accepts for OpenCode (sent as the prompt's providerID / modelID). */
export const OpenCodeModelNames: ModelNames = modelNames(
  "`provider/model` as OpenCode names it, e.g. `anthropic/claude-sonnet-4-5` or `openai/gpt-5`",
  (name) => ProviderModel.test(name) && !name.endsWith("/"),
);
