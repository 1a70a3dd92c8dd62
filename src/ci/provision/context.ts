import type { Config } from "../../config.js";
import type { Logger } from "../../log.js";
import type { CredentialStore } from "../../store/credentials/store.js";
import type { Database } from "../../store/database.js";
import type { Project } from "../../store/projects.js";
import type { WatchOptions } from "../build-watch.js";
import type { ForgeConnection } from "../connection.js";
import type { Redactor } from "../redact.js";
import type { StepReport } from "./report.js";

/** What `project new` asks for (already validated: the name is a valid repository name). */
export interface ProvisionRequest {
  name: string;
  template: string;
  description: string;
  private: boolean;
  /** Owner (organization or user) of the repository; default GITEA_OWNER, else the token's user. */
  org?: string;
  /** Slack user id, or `cli:<user>`. */
  actor: string;
}

/** Everything one provisioning run's steps share. */
export interface ProvisionContext {
  db: Database;
  request: ProvisionRequest;
  connection: ForgeConnection;
  config: Pick<Config, "forge" | "database">;
  credentials?: CredentialStore;
  redactor: Redactor;
  log: Logger;
  signal?: AbortSignal;
  /** Poll timing of the first build (tests shorten it); the deadline is CODETHREAD_BUILD_TIMEOUT. */
  watch?: Partial<Omit<WatchOptions, "signal">>;
  /** The project record as the steps left it. */
  project: Project;
  report(r: StepReport): Promise<void>;
}

/** The marker topic on repositories codethread created (besides the recorded repository id). */
export const ManagedTopic = "codethread";
