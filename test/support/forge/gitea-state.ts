import { randomBytes } from "node:crypto";
import type { FakeResponse } from "./contract-server.js";
import type { GitRepos } from "./git.js";
import { type FakeAccount, type FakeRepo, now, repoJson } from "./gitea-json.js";

export interface TokenInfo {
  login: string;
  scopes: string[];
}

/**
 * What the fake Gitea knows: accounts, organization members, tokens and repositories (each a real
 * bare git repository), and Gitea's permission rule for them.
 */
export class GiteaState {
  readonly accounts = new Map<string, FakeAccount>();
  readonly members = new Map<string, Set<string>>();
  readonly tokens = new Map<string, TokenInfo>();
  readonly #repos = new Map<string, FakeRepo>();
  #nextId = 40;

  constructor(
    readonly flavor: "gitea" | "forgejo",
    readonly git: GitRepos,
    readonly base: () => string,
  ) {}

  nextId(): number {
    return this.#nextId++;
  }

  /** Gitea's error body: `{"message","url"}`. */
  msg(message: string, status: number): FakeResponse {
    return { status, json: { message, url: `${this.base()}/api/swagger` } };
  }

  notFound(): FakeResponse {
    return {
      status: 404,
      json: { message: "The target couldn't be found.", url: `${this.base()}/api/swagger`, errors: [] },
    };
  }

  addAccount(login: string, kind: "user" | "org", isAdmin = false): FakeAccount {
    const a: FakeAccount = {
      id: this.nextId(),
      login,
      fullName: login,
      email: kind === "user" ? `${login}@example.com` : "",
      isAdmin,
      kind,
    };
    this.accounts.set(login, a);
    return a;
  }

  addToken(login: string, scopes: string[]): string {
    const token = randomBytes(20).toString("hex");
    this.tokens.set(token, { login, scopes });
    return token;
  }

  repo(owner: string, name: string): FakeRepo | undefined {
    return this.#repos.get(`${owner}/${name}`.toLowerCase());
  }

  repos(): FakeRepo[] {
    return [...this.#repos.values()];
  }

  isMember(org: string, login: string): boolean {
    return this.members.get(org)?.has(login) ?? false;
  }

  /** Owners (the user, or members of the owning organization) administer; public repositories are readable. */
  perms(repo: FakeRepo, login: string | undefined) {
    const owner = login !== undefined && (repo.owner.login === login || this.isMember(repo.owner.login, login));
    return { admin: owner, push: owner, pull: owner || !repo.private };
  }

  repoJson(repo: FakeRepo, login: string | undefined) {
    return repoJson(this.base(), repo, this.perms(repo, login), this.flavor === "gitea");
  }

  async create(
    owner: FakeAccount,
    o: { name: string; description: string; private: boolean; defaultBranch: string },
  ): Promise<FakeRepo> {
    const repo: FakeRepo = {
      id: this.nextId(),
      owner,
      name: o.name,
      description: o.description,
      private: o.private,
      template: false,
      defaultBranch: o.defaultBranch || "main",
      topics: [],
      hooks: [],
      empty: true,
      createdAt: now(),
    };
    await this.git.init(owner.login, o.name, repo.defaultBranch);
    this.#repos.set(`${owner.login}/${o.name}`.toLowerCase(), repo);
    return repo;
  }

  remove(repo: FakeRepo): void {
    this.#repos.delete(`${repo.owner.login}/${repo.name}`.toLowerCase());
    this.git.remove(repo.owner.login, repo.name);
  }

  async commit(
    repo: FakeRepo,
    branch: string,
    message: string,
    files: { path: string; content: Buffer }[],
    login: string,
  ) {
    const author = { name: login, email: `${login}@example.com` };
    const result = await this.git.commit(repo.owner.login, repo.name, { branch, message, files, author });
    repo.empty = false;
    return { ...result, author };
  }
}
