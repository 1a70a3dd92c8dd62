/** JSON shapes of Gitea 1.27 / Forgejo 16 answers, as their servers fill them (see test/fixtures/forge/gitea.json). */

export interface FakeAccount {
  id: number;
  login: string;
  fullName: string;
  email: string;
  isAdmin: boolean;
  kind: "user" | "org";
}

export interface FakeRepo {
  id: number;
  owner: FakeAccount;
  name: string;
  description: string;
  private: boolean;
  template: boolean;
  defaultBranch: string;
  topics: string[];
  hooks: FakeHook[];
  empty: boolean;
  createdAt: string;
}

export interface FakeHook {
  id: number;
  type: string;
  config: Record<string, string>;
  events: string[];
  active: boolean;
  createdAt: string;
}

export const zeroTime = "0001-01-01T00:00:00Z";
export const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export function accountJson(base: string, a: FakeAccount) {
  return {
    id: a.id,
    login: a.login,
    login_name: "",
    source_id: 0,
    full_name: a.fullName,
    // Organizations and hidden addresses come as "".
    email: a.kind === "org" ? "" : a.email,
    avatar_url: `${base}/avatars/${a.id}`,
    html_url: `${base}/${a.login}`,
    language: "",
    is_admin: a.isAdmin,
    last_login: zeroTime,
    created: "2026-01-01T00:00:00Z",
    restricted: false,
    active: a.kind === "user",
    prohibit_login: false,
    location: "",
    website: "",
    description: "",
    visibility: "public",
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: a.login,
  };
}

export function orgJson(base: string, a: FakeAccount) {
  return {
    id: a.id,
    name: a.login,
    username: a.login,
    full_name: a.fullName,
    email: "",
    avatar_url: `${base}/avatars/${a.id}`,
    description: "",
    website: "",
    location: "",
    visibility: "public",
    repo_admin_change_team_access: false,
  };
}

export function repoJson(
  base: string,
  r: FakeRepo,
  permissions: { admin: boolean; push: boolean; pull: boolean },
  objectFormat = true,
) {
  const full = `${r.owner.login}/${r.name}`;
  return {
    id: r.id,
    owner: accountJson(base, r.owner),
    name: r.name,
    full_name: full,
    description: r.description,
    empty: r.empty,
    private: r.private,
    fork: false,
    template: r.template,
    mirror: false,
    size: 0,
    language: "",
    languages_url: `${base}/api/v1/repos/${full}/languages`,
    html_url: `${base}/${full}`,
    url: `${base}/api/v1/repos/${full}`,
    link: "",
    ssh_url: `git@127.0.0.1:${full}.git`,
    clone_url: `${base}/${full}.git`,
    original_url: "",
    website: "",
    stars_count: 0,
    forks_count: 0,
    watchers_count: 1,
    open_issues_count: 0,
    open_pr_counter: 0,
    release_counter: 0,
    default_branch: r.defaultBranch,
    archived: false,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    archived_at: "1970-01-01T00:00:00Z",
    permissions,
    has_issues: true,
    has_wiki: true,
    has_pull_requests: true,
    has_projects: true,
    has_releases: true,
    has_packages: true,
    has_actions: true,
    ignore_whitespace_conflicts: false,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    allow_fast_forward_only_merge: true,
    allow_rebase_update: true,
    default_delete_branch_after_merge: false,
    default_merge_style: "merge",
    default_allow_maintainer_edit: false,
    avatar_url: "",
    internal: false,
    mirror_interval: "",
    ...(objectFormat ? { object_format_name: "sha1" } : {}),
    mirror_updated: zeroTime,
    // Go's nil slice: a repository without topics sends null.
    topics: r.topics.length ? r.topics : null,
    licenses: null,
  };
}

export function hookJson(h: FakeHook) {
  return {
    id: h.id,
    type: h.type,
    branch_filter: "",
    config: { content_type: h.config.content_type ?? "json", url: h.config.url ?? "" },
    events: h.events,
    authorization_header: "",
    active: h.active,
    updated_at: h.createdAt,
    created_at: h.createdAt,
  };
}

export function filesResponseJson(
  base: string,
  full: string,
  branch: string,
  commit: { sha: string; parent?: string; message: string; author: { name: string; email: string } },
  files: { path: string; sha: string; size: number; content: string }[],
) {
  const date = now();
  const who = { ...commit.author, date };
  return {
    files: files.map((f) => ({
      name: f.path.split("/").pop()!,
      path: f.path,
      sha: f.sha,
      last_commit_sha: commit.sha,
      type: "file",
      size: f.size,
      encoding: "base64",
      content: f.content,
      url: `${base}/api/v1/repos/${full}/contents/${f.path}?ref=${branch}`,
      html_url: `${base}/${full}/src/branch/${branch}/${f.path}`,
      git_url: `${base}/api/v1/repos/${full}/git/blobs/${f.sha}`,
      download_url: `${base}/${full}/raw/branch/${branch}/${f.path}`,
      _links: {
        self: `${base}/api/v1/repos/${full}/contents/${f.path}?ref=${branch}`,
        git: `${base}/api/v1/repos/${full}/git/blobs/${f.sha}`,
        html: `${base}/${full}/src/branch/${branch}/${f.path}`,
      },
    })),
    commit: {
      url: `${base}/api/v1/repos/${full}/git/commits/${commit.sha}`,
      sha: commit.sha,
      created: date,
      html_url: `${base}/${full}/commit/${commit.sha}`,
      author: who,
      committer: who,
      parents: commit.parent
        ? [{ url: `${base}/api/v1/repos/${full}/git/commits/${commit.parent}`, sha: commit.parent, created: date }]
        : [],
      message: `${commit.message}\n`,
      tree: { url: `${base}/api/v1/repos/${full}/git/trees/${commit.sha}`, sha: commit.sha, created: date },
    },
    verification: { verified: false, reason: "gpg.error.not_signed_commit", signature: "", payload: "" },
  };
}
