import type { Config } from "../../config.js";
import type { Logger } from "../../log.js";
import type { Secret } from "../../secret.js";
import { permissionPolicyFromConfig } from "../permission-policy.js";
import type { PermissionPolicy } from "../request.js";
import type { ReconnectPolicy } from "./event-stream.js";

export interface OpenCodeOptions {
  /** A running `opencode serve`. Absent: the provider starts one itself (`bin serve`). */
  url?: string;
  username?: string;
  password?: Secret;
  /** The `opencode` binary for the embedded server. Default `opencode`. */
  bin?: string;
  /** Variables set for the embedded server (over what it inherits) and its working directory. */
  serverEnv?: Record<string, string>;
  /** Names of the bot's variables the embedded server may inherit beyond its own (CODETHREAD_AGENT_ENV). */
  agentEnv?: string[];
  /** Where the embedded server is recorded so a restarted bot stops leftovers. */
  processDir?: string;
  serverCwd?: string;
  /** Policy for requests that carry none. Absent: the server's own permission configuration. */
  defaultPermissions?: PermissionPolicy;
  /** Default model, `provider/model`. Absent: the server's configured model. */
  model?: string;
  /** `/event` per workspace directory (default), or `/global/event`. */
  eventScope?: "directory" | "global";
  /** Timeout of each plain HTTP call. */
  httpTimeoutMs?: number;
  startTimeoutMs?: number;
  heartbeatTimeoutMs?: number;
  reconnect?: ReconnectPolicy;
  /** How long to wait for the server to confirm an abort (idle) before reporting the run stopped. */
  abortGraceMs?: number;
  queueCapacity?: number;
  log: Logger;
}

export function opencodeOptionsFromConfig(config: Config, log: Logger): OpenCodeOptions {
  const { url, password, username, bin, model } = config.opencode;
  return {
    url,
    password,
    username,
    bin,
    model,
    agentEnv: config.runs.agentEnv,
    processDir: config.runs.processDir,
    defaultPermissions: permissionPolicyFromConfig(config.runs),
    log: log.child({ provider: "opencode" }),
  };
}
