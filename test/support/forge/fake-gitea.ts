import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { serveGitRequest } from "../git-http-server.js";
import { ContractServer, type FakeRequest, type FakeResponse } from "./contract-server.js";
import { GitRepos } from "./git.js";
import { accountJson, type FakeAccount, type FakeRepo, orgJson } from "./gitea-json.js";
import { type FakePull, type FakeStatus, PullsState, pullsRoute } from "./gitea-pulls.js";
import { createRepo, generateRepo, repoRoute } from "./gitea-repo-routes.js";
import { GiteaState, type TokenInfo } from "./gitea-state.js";
import { giteaContract } from "./swagger-contract.js";

/**
 * A contract fake of Gitea 1.27.1 (or Forgejo 16.0.1) on 127.0.0.1: users, organizations, token
 * scopes, repositories backed by real bare git repositories (served by `git http-backend`),
 * generation from template repositories, ChangeFiles commits, topics and hooks. Errors carry the
 * real servers' texts and statuses. Every API request and response is checked against the spec.
 */

const AllScopes = ["write:repository", "write:user", "write:organization", "write:issue"];
type Category = "repository" | "user" | "organization";

export interface FakeGiteaOptions {
  flavor?: "gitea" | "forgejo";
  /** Login of the bot user (default `codethread-bot`). */
  bot?: string;
}

export class FakeGitea {
  readonly flavor: "gitea" | "forgejo";
  readonly server: ContractServer;
  readonly bot: string;
  /** The bot's token, with every scope (change with `setScopes`). */
  readonly botToken: string;
  readonly #root: string;
  readonly #state: GiteaState;
  readonly #pulls = new PullsState();

  constructor(options: FakeGiteaOptions = {}) {
    this.flavor = options.flavor ?? "gitea";
    this.bot = options.bot ?? "codethread-bot";
    this.#root = mkdtempSync(path.join(tmpdir(), "fake-gitea-"));
    this.#state = new GiteaState(this.flavor, new GitRepos(this.#root), () => this.url);
    this.addUser(this.bot);
    this.botToken = this.addToken(this.bot, AllScopes);
    this.server = new ContractServer(
      this.flavor,
      giteaContract(this.flavor),
      (p) => (p.startsWith("/api/v1/") ? p.slice("/api/v1".length) : undefined),
      (req) => this.#route(req),
      (req, res, url) => this.#gitHttp(req, res, url),
    );
  }

  get url(): string {
    return this.server.url;
  }

  get violations(): string[] {
    return this.server.violations;
  }

  calls(method?: string, p?: RegExp) {
    return this.server.calls(method, p);
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.#root, { recursive: true, force: true });
  }

  addUser(login: string, options: { isAdmin?: boolean } = {}): FakeAccount {
    return this.#state.addAccount(login, "user", options.isAdmin);
  }

  addOrg(login: string, members: string[]): FakeAccount {
    this.#state.members.set(login, new Set(members));
    return this.#state.addAccount(login, "org");
  }

  /** A new random token for `login` with these scopes. */
  addToken(login: string, scopes: string[]): string {
    return this.#state.addToken(login, scopes);
  }

  setScopes(token: string, scopes: string[]): void {
    const info = this.#state.tokens.get(token);
    if (info) info.scopes = scopes;
  }

  repo(owner: string, name: string): FakeRepo | undefined {
    return this.#state.repo(owner, name);
  }

  repos(): FakeRepo[] {
    return this.#state.repos();
  }

  /** A repository made outside codethread (someone's project, an operator's template). */
  async seedRepo(input: {
    owner: string;
    name: string;
    template?: boolean;
    private?: boolean;
    description?: string;
    topics?: string[];
    files?: Record<string, string>;
  }): Promise<FakeRepo> {
    const repo = await this.#state.create(this.#state.accounts.get(input.owner)!, {
      name: input.name,
      description: input.description ?? "",
      private: input.private ?? false,
      defaultBranch: "main",
    });
    repo.template = input.template ?? false;
    repo.topics = input.topics ?? [];
    const files = Object.entries(input.files ?? {}).map(([p, c]) => ({ path: p, content: Buffer.from(c) }));
    if (files.length) await this.#state.commit(repo, "main", "Initial commit", files, this.bot);
    return repo;
  }

  /** The repository's pull requests, oldest first. */
  pulls(owner: string, name: string): FakePull[] {
    const repo = this.repo(owner, name);
    return repo ? this.#pulls.of(repo) : [];
  }

  /** Statuses posted for a commit, oldest first. */
  statuses(owner: string, name: string, sha: string): FakeStatus[] {
    const repo = this.repo(owner, name);
    return repo ? this.#pulls.statusesOf(repo, sha) : [];
  }

  /** The current commit of a branch of a repository the fake holds. */
  branchHead(owner: string, name: string, branch: string): Promise<string | undefined> {
    return this.#state.git.head(owner, name, branch);
  }

  // ── auth ──────────────────────────────────────────────────────────────────────────────────

  #tokenOf(headers: IncomingMessage["headers"]): string | undefined {
    const h = headers.authorization;
    if (!h) return undefined;
    const [scheme, value] = h.split(" ", 2);
    if (scheme?.toLowerCase() === "token" || scheme?.toLowerCase() === "bearer") return value;
    if (scheme?.toLowerCase() === "basic" && value) {
      return Buffer.from(value, "base64").toString("utf8").split(":").slice(1).join(":");
    }
    return "\0invalid";
  }

  /** The caller, or the 401 Gitea answers. */
  #auth(req: FakeRequest): TokenInfo | FakeResponse {
    const token = this.#tokenOf(req.headers);
    if (token === undefined) return this.#state.msg("token is required", 401);
    return this.#state.tokens.get(token) ?? this.#state.msg("invalid username, password or token", 401);
  }

  /** Gitea checks a token's scope per route group; a write scope implies its read scope. */
  #scope(info: TokenInfo, level: "read" | "write", ...categories: Category[]): FakeResponse | undefined {
    for (const category of categories) {
      const ok = info.scopes.some(
        (s) => s === "all" || s === `write:${category}` || (level === "read" && s === `read:${category}`),
      );
      if (!ok)
        return this.#state.msg(`token does not have at least one of required scope(s): [${level}:${category}]`, 403);
    }
    return undefined;
  }

  #gitHttp(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const m = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (!m) return false;
    const repo = this.repo(m[1]!, m[2]!);
    const token = this.#tokenOf(req.headers);
    const info = token ? this.#state.tokens.get(token) : undefined;
    const pushing = url.searchParams.get("service") === "git-receive-pack" || m[3] === "/git-receive-pack";
    const perms = repo ? this.#state.perms(repo, info?.login) : undefined;
    if (!repo || !perms?.pull || (pushing && !perms.push)) {
      if (!info) res.writeHead(401, { "www-authenticate": 'Basic realm="Gitea"' }).end("Unauthorized\n");
      else res.writeHead(404).end("Not found\n");
      return true;
    }
    serveGitRequest(req, res, {
      projectRoot: this.#root,
      pathInfo: `/${repo.owner.login}/${repo.name}.git${m[3]}`,
      query: url.search.slice(1),
      remoteUser: info?.login,
    });
    if (pushing) res.on("finish", () => (repo.empty = false));
    return true;
  }

  // ── API ───────────────────────────────────────────────────────────────────────────────────

  async #route(req: FakeRequest): Promise<FakeResponse> {
    const { method, path: p } = req;
    const state = this.#state;
    if (method === "GET" && p === "/version") {
      return { status: 200, json: { version: this.flavor === "gitea" ? "1.27.1" : "16.0.1+gitea-1.22.0" } };
    }
    const auth = this.#auth(req);
    if ("status" in auth) return auth;
    const me = state.accounts.get(auth.login)!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const at = (re: RegExp) => re.exec(p) ?? undefined;

    if (method === "GET" && p === "/user") {
      return this.#scope(auth, "read", "user") ?? { status: 200, json: accountJson(this.url, me) };
    }
    if (method === "GET" && p === "/user/repos") {
      const mine = state.repos().filter((r) => state.perms(r, me.login).admin);
      return (
        this.#scope(auth, "read", "user", "repository") ?? {
          status: 200,
          json: mine.map((r) => state.repoJson(r, me.login)),
        }
      );
    }
    if (method === "GET" && p === "/user/orgs") {
      const orgs = [...state.members].filter(([, ms]) => ms.has(me.login)).map(([o]) => state.accounts.get(o)!);
      return (
        this.#scope(auth, "read", "user", "organization") ?? {
          status: 200,
          json: orgs.map((o) => orgJson(this.url, o)),
        }
      );
    }
    if (method === "POST" && p === "/user/repos") {
      return this.#scope(auth, "write", "user", "repository") ?? createRepo(state, me, me, body);
    }
    const orgPath = at(/^\/orgs\/([^/]+)$/);
    if (orgPath && method === "GET") {
      const org = state.accounts.get(decodeURIComponent(orgPath[1]!));
      const denied = this.#scope(auth, "read", "organization");
      if (denied) return denied;
      return org?.kind === "org" ? { status: 200, json: orgJson(this.url, org) } : state.notFound();
    }
    const orgRepos = at(/^\/orgs\/([^/]+)\/repos$/);
    if (orgRepos && method === "POST") {
      const denied = this.#scope(auth, "write", "organization");
      if (denied) return denied;
      const org = state.accounts.get(decodeURIComponent(orgRepos[1]!));
      if (org?.kind !== "org") return state.notFound();
      if (!state.isMember(org.login, me.login)) {
        return state.msg("Given user is not allowed to create repository in organization.", 403);
      }
      return createRepo(state, me, org, body);
    }
    const generate = at(/^\/repos\/([^/]+)\/([^/]+)\/generate$/);
    if (generate && method === "POST") {
      return this.#scope(auth, "write", "repository") ?? generateRepo(state, me, generate[1]!, generate[2]!, body);
    }
    const byId = at(/^\/repositories\/(\d+)$/);
    if (byId && method === "GET") {
      const denied = this.#scope(auth, "read", "repository");
      if (denied) return denied;
      const repo = state.repos().find((r) => r.id === Number(byId[1]));
      if (!repo || !state.perms(repo, me.login).pull) return state.notFound();
      return { status: 200, json: state.repoJson(repo, me.login) };
    }
    const repoPath = at(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/);
    if (repoPath) {
      const repo = this.repo(decodeURIComponent(repoPath[1]!), decodeURIComponent(repoPath[2]!));
      const denied = this.#scope(auth, method === "GET" ? "read" : "write", "repository");
      if (denied) return denied;
      if (!repo || !state.perms(repo, me.login).pull) return state.notFound();
      const rest = repoPath[3] ?? "";
      const pull = await pullsRoute(state, this.#pulls, req, me, repo, rest, body);
      return pull ?? repoRoute(state, req, me, repo, rest, body);
    }
    return state.notFound();
  }
}
