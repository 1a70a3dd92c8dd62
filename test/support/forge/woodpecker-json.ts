/** JSON shapes of Woodpecker 3.17 answers (see test/fixtures/forge/woodpecker.json). */

export interface WRepo {
  id: number;
  forgeRemoteId: string;
  owner: string;
  name: string;
  forgeUrl: string;
  cloneUrl: string;
  defaultBranch: string;
  private: boolean;
  active: boolean;
}

export type StepState = "pending" | "running" | "success" | "failure" | "skipped";

export interface WStep {
  id: number;
  pid: number;
  name: string;
  type: "clone" | "commands";
  state: StepState;
  exitCode: number;
  log: string[];
}

export interface WWorkflow {
  id: number;
  pid: number;
  name: string;
  state: StepState;
  steps: WStep[];
}

export interface WPipeline {
  id: number;
  number: number;
  branch: string;
  commit: string;
  author: string;
  status: "pending" | "running" | "success" | "failure";
  variables: Record<string, string>;
  workflows: WWorkflow[];
  created: number;
  started: number;
  finished: number;
  /** GETs seen so far (the fake advances a pipeline by polls, not by time). */
  polls: number;
}

export function repoJson(r: WRepo) {
  return {
    id: r.id,
    forge_id: 1,
    forge_remote_id: r.forgeRemoteId,
    org_id: 2,
    owner: r.owner,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    avatar_url: "",
    forge_url: r.forgeUrl,
    clone_url: r.cloneUrl,
    clone_url_ssh: `git@127.0.0.1:${r.owner}/${r.name}.git`,
    default_branch: r.defaultBranch,
    pr_enabled: true,
    timeout: 60,
    visibility: r.private ? "private" : "public",
    private: r.private,
    trusted: { network: false, volumes: false, security: false },
    require_approval: "forks",
    // Go's nil slices.
    approval_allowed_users: null,
    active: r.active,
    allow_pr: true,
    allow_deploy: false,
    config_file: "",
    cancel_previous_pipeline_events: ["push", "pull_request"],
    netrc_trusted: null,
    config_extension_endpoint: "",
    config_extension_exclusive: false,
    config_extension_netrc: false,
    registry_extension_endpoint: "",
    registry_extension_netrc: false,
    secret_extension_endpoint: "",
    secret_extension_netrc: false,
  };
}

export function pipelineJson(repo: WRepo, p: WPipeline, withWorkflows: boolean) {
  return {
    id: p.id,
    number: p.number,
    author: p.author,
    parent: 0,
    event: "manual",
    status: p.status,
    errors: null,
    created: p.created,
    updated: p.started || p.created,
    started: p.started,
    finished: p.finished,
    deploy_to: "",
    deploy_task: "",
    commit: p.commit,
    branch: p.branch,
    ref: `refs/heads/${p.branch}`,
    refspec: "",
    title: "",
    message: `MANUAL PIPELINE @ ${p.branch}`,
    timestamp: p.created,
    sender: "",
    author_avatar: "",
    author_email: `${p.author}@example.com`,
    forge_url: `${repo.forgeUrl}/commit/${p.commit}`,
    reviewed_by: "",
    reviewed: 0,
    variables: p.variables,
    rerun_count: 0,
    version: "3.17.0",
    ...(withWorkflows
      ? {
          workflows: p.workflows.map((w) => ({
            id: w.id,
            pipeline_id: p.id,
            pid: w.pid,
            name: w.name,
            state: w.state,
            started: p.started,
            agent_id: 1,
            platform: "linux/amd64",
            environ: {},
            children: w.steps.map((s) => ({
              id: s.id,
              uuid: `0b4c-${s.id}`,
              pipeline_id: p.id,
              pid: s.pid,
              ppid: w.pid,
              name: s.name,
              state: s.state,
              exit_code: s.exitCode,
              started: s.state === "pending" ? 0 : p.started,
              finished: ["success", "failure"].includes(s.state) ? p.finished || p.started : 0,
              type: s.type,
            })),
          })),
        }
      : {}),
  };
}

export function secretJson(
  repoId: number,
  s: { id: number; name: string; events: string[]; images: string[]; note: string },
) {
  return {
    id: s.id,
    org_id: 0,
    repo_id: repoId,
    name: s.name,
    images: s.images,
    events: [...s.events].sort(),
    note: s.note,
  };
}
