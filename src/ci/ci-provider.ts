import type { Secret } from "../secret.js";

/** The CI port: what provisioning and `build` need from Woodpecker (adapter: src/ci/woodpecker). */

export const PipelineStatuses = [
  "created",
  "pending",
  "running",
  "success",
  "failure",
  "killed",
  "canceled",
  "error",
  "blocked",
  "declined",
  "skipped",
] as const;
export type PipelineStatus = (typeof PipelineStatuses)[number];

/** Statuses a pipeline never leaves. (`blocked` waits for an approval: not terminal.) */
export const TerminalStatuses: ReadonlySet<PipelineStatus> = new Set([
  "success",
  "failure",
  "killed",
  "canceled",
  "error",
  "declined",
  "skipped",
]);

export interface CiRepo {
  id: number;
  /** The forge's numeric repository id, as Woodpecker stores it (a string). */
  forgeRemoteId: string;
  fullName: string;
  active: boolean;
  /** The repository's page in the CI's UI. */
  url: string;
}

export interface CiStep {
  id: number;
  name: string;
  state: PipelineStatus;
  exitCode: number;
  /** The workflow (`.woodpecker/<name>.yaml`) the step belongs to. */
  workflow: string;
}

export interface CiPipeline {
  number: number;
  status: PipelineStatus;
  branch: string;
  event: string;
  commit: string;
  url: string;
  steps: CiStep[];
  /** Configuration or system errors the CI reported. */
  errors: string[];
}

export type ActivateResult = { kind: "activated" | "already_active"; repo: CiRepo };

export type TriggerResult =
  | { kind: "started"; pipeline: CiPipeline }
  /** No workflow runs for a manual event on this branch (no config, `when` filtered, `[skip ci]`). */
  | { kind: "filtered" };

export interface CiSecret {
  name: string;
  value: Secret;
  /** Events whose pipelines may read it (never empty). */
  events: string[];
}

export interface CIProvider {
  readonly baseUrl: string;
  /** The server version; refuses (`ErrCiVersionUnsupported`) a version this adapter cannot drive. */
  version(): Promise<string>;
  whoami(): Promise<{ login: string; admin: boolean }>;
  /** The CI's record of a forge repository (`owner/name`), active or not. */
  lookupRepo(fullName: string): Promise<CiRepo | undefined>;
  /** Activate by the forge's numeric id; "already active" is a success. */
  activateRepo(forgeRemoteId: number): Promise<ActivateResult>;
  deactivateRepo(repoId: number): Promise<void>;
  /** Create or update a repository secret. */
  upsertSecret(repoId: number, secret: CiSecret): Promise<"created" | "updated">;
  /** Start a manual pipeline on `branch`. */
  triggerBuild(repoId: number, branch: string, variables?: Record<string, string>): Promise<TriggerResult>;
  pipeline(repoId: number, number: number): Promise<CiPipeline>;
  /** The newest pipeline of `branch`, if any. */
  latestPipeline(repoId: number, branch: string): Promise<CiPipeline | undefined>;
  /** A step's log, one string per line (decoded). */
  stepLogs(repoId: number, number: number, stepId: number): Promise<string[]>;
  /** Where a person activates a repository by hand. */
  addRepoUrl(): string;
}
