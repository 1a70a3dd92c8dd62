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
}
