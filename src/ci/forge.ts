/**
 * The forge port: what provisioning needs from Gitea or Forgejo. One adapter (src/ci/gitea) serves
 * both; the flavor is read from `/api/v1/version`.
 */
export type ForgeFlavor = "gitea" | "forgejo";

export interface ForgeServer {
  flavor: ForgeFlavor;
  version: string;
}

export interface ForgeUser {
  id: number;
  login: string;
  isAdmin: boolean;
}

export interface ForgeRepo {
  /** Numeric id: Woodpecker's `forge_remote_id`. */
  id: number;
  owner: string;
  name: string;
  fullName: string;
  description: string;
  private: boolean;
  /** No commit yet. */
  empty: boolean;
  template: boolean;
  defaultBranch: string;
  htmlUrl: string;
  cloneUrl: string;
  topics: string[];
  /** The calling user may administer it (Woodpecker activation needs that). */
  canAdmin: boolean;
}

export interface NewRepo {
  /** A user or an organization. */
  owner: string;
  name: string;
  description: string;
  private: boolean;
  defaultBranch: string;
}

export interface FileToCommit {
  path: string;
  content: Buffer;
}

export interface ScopeCheck {
  scope: string;
  granted: boolean;
}

/** A pull request on the forge (open, or found again by its head branch). */
export interface ForgePullRequest {
  number: number;
  htmlUrl: string;
  state: "open" | "closed";
  merged: boolean;
  head: { ref: string; sha: string };
  base: { ref: string };
}

export interface NewPullRequest {
  head: string;
  base: string;
  title: string;
  body: string;
}

/** What commit statuses (Woodpecker, any CI reporting to the forge) say of one commit. */
export type CommitState = "pending" | "success" | "error" | "failure" | "warning" | "skipped";

export interface CommitStatus {
  context: string;
  state: CommitState;
  description: string;
  targetUrl: string;
}

export interface CombinedCommitStatus {
  /** The forge's combination; "pending" also when no CI has reported yet (`statuses` empty). */
  state: CommitState;
  sha: string;
  statuses: CommitStatus[];
}

export interface Forge {
  readonly baseUrl: string;
  server(): Promise<ForgeServer>;
  whoami(): Promise<ForgeUser>;
  /**
   * The read scopes a harmless call can prove. Write scopes cannot be probed without writing:
   * a call that lacks one fails with `ErrTokenScope` naming it.
   */
  probeScopes(): Promise<ScopeCheck[]>;
  /** An empty repository for the token's user, or in an organization when `owner` is another name. */
  createRepo(repo: NewRepo): Promise<ForgeRepo>;
  /** A repository generated server-side from a template repository (content already committed). */
  generateRepo(template: { owner: string; repo: string }, repo: NewRepo): Promise<ForgeRepo>;
  getRepo(owner: string, name: string): Promise<ForgeRepo | undefined>;
  getRepoById(id: number): Promise<ForgeRepo | undefined>;
  /** One commit creating `files` on `branch` (the first commit of an empty repository too). */
  commitFiles(
    owner: string,
    name: string,
    commit: { branch: string; message: string; files: FileToCommit[] },
  ): Promise<{ sha: string }>;
  setTopics(owner: string, name: string, topics: string[]): Promise<void>;
  deleteRepo(owner: string, name: string): Promise<void>;
  /** The open pull request whose head is `head` (a branch of the same repository), if any. */
  findPullRequest(owner: string, name: string, head: string): Promise<ForgePullRequest | undefined>;
  createPullRequest(owner: string, name: string, pr: NewPullRequest): Promise<ForgePullRequest>;
  /** The combined commit status of `ref` (a commit sha or a branch). */
  commitStatus(owner: string, name: string, ref: string): Promise<CombinedCommitStatus>;
}
