export { createOpenCodeAgent } from "./agent.js";
export { type OpenCodeOptions, opencodeOptionsFromConfig } from "./options.js";
export { type ReplayOptions, replayOpenCodeSse } from "./replay.js";
