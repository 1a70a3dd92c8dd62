import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { ContractServer, type FakeRequest, type FakeResponse } from "./contract-server.js";
import { GitRepos } from "./git.js";
import { serveGitHttp } from "./git-http.js";
import {
  accountJson,
  type FakeAccount,
  type FakeRepo,
  filesResponseJson,
  hookJson,
  now,
  orgJson,
  repoJson,
} from "./gitea-json.js";
import { giteaContract } from "./swagger-contract.js";
import { applyTemplate, templateVariables } from "./template-expansion.js";

/**
 * A contract fake of Gitea 1.27.1 (or Forgejo 16.0.1) on 127.0.0.1: users, organizations, token
 * scopes, repositories backed by real bare git repositories (served by `git http-backend`),
 * generation from template repositories, ChangeFiles commits, topics and hooks. Errors carry the
 * real servers' texts and statuses. Every API request and response is checked against the spec.
 */

const AllScopes = ["write:repository", "write:user", "write:organization", "write:issue"];
type Category = "repository" | "user" | "organization";

const msg = (base: string, message: string, status: number): FakeResponse => ({
  status,
  json: { message, url: `${base}/api/swagger` },
});

interface TokenInfo {
  login: string;
  scopes: string[];
}

export interface FakeGiteaOptions {
  flavor?: "gitea" | "forgejo";
  /** Login of the bot user (default `codethread-bot`). */
  bot?: string;
}

export class FakeGitea {
  readonly flavor: "gitea" | "forgejo";
  readonly server: ContractServer;
  readonly git: GitRepos;
  readonly bot: string;
  /** The bot's token, with every scope (change with `setScopes`). */
  readonly botToken: string;
  readonly #root: string;
  readonly #accounts = new Map<string, FakeAccount>();
  readonly #members = new Map<string, Set<string>>();
  readonly #tokens = new Map<string, TokenInfo>();
  readonly #repos = new Map<string, FakeRepo>();
  #nextId = 40;

  constructor(options: FakeGiteaOptions = {}) {
    this.flavor = options.flavor ?? "gitea";
    this.bot = options.bot ?? "codethread-bot";
    this.#root = mkdtempSync(path.join(tmpdir(), "fake-gitea-"));
    this.git = new GitRepos(this.#root);
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

  calls(method?: string, path?: RegExp) {
    return this.server.calls(method, path);
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
    const a: FakeAccount = {
      id: this.#nextId++,
      login,
      fullName: login,
      email: `${login}@example.com`,
      isAdmin: options.isAdmin ?? false,
      kind: "user",
    };
    this.#accounts.set(login, a);
    return a;
  }

  addOrg(login: string, members: string[]): FakeAccount {
    const a: FakeAccount = { id: this.#nextId++, login, fullName: login, email: "", isAdmin: false, kind: "org" };
    this.#accounts.set(login, a);
    this.#members.set(login, new Set(members));
    return a;
  }

  /** A new random token for `login` with these scopes. */
  addToken(login: string, scopes: string[]): string {
    const token = randomBytes(20).toString("hex");
    this.#tokens.set(token, { login, scopes });
    return token;
  }

  setScopes(token: string, scopes: string[]): void {
    const info = this.#tokens.get(token);
    if (info) info.scopes = scopes;
  }

  repo(owner: string, name: string): FakeRepo | undefined {
    return this.#repos.get(`${owner}/${name}`.toLowerCase());
  }

  repos(): FakeRepo[] {
    return [...this.#repos.values()];
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
    const repo = await this.#create(this.#accounts.get(input.owner)!, {
      name: input.name,
      description: input.description ?? "",
      private: input.private ?? false,
      defaultBranch: "main",
    });
    repo.template = input.template ?? false;
    repo.topics = input.topics ?? [];
    const files = Object.entries(input.files ?? {}).map(([p, c]) => ({ path: p, content: Buffer.from(c) }));
    if (files.length) await this.#commit(repo, "main", "Initial commit", files, this.bot);
    return repo;
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
    if (token === undefined) return msg(this.url, "token is required", 401);
    const info = this.#tokens.get(token);
    if (!info) return msg(this.url, "invalid username, password or token", 401);
    return info;
  }

  /** Gitea checks a token's scope per route group; a write scope implies its read scope. */
  #scope(info: TokenInfo, level: "read" | "write", ...categories: Category[]): FakeResponse | undefined {
    for (const category of categories) {
      const ok = info.scopes.some(
        (s) => s === "all" || s === `write:${category}` || (level === "read" && s === `read:${category}`),
      );
      if (!ok)
        return msg(this.url, `token does not have at least one of required scope(s): [${level}:${category}]`, 403);
    }
    return undefined;
  }

  #perms(repo: FakeRepo, login: string | undefined) {
    const owner =
      login !== undefined && (repo.owner.login === login || this.#members.get(repo.owner.login)?.has(login));
    return { admin: Boolean(owner), push: Boolean(owner), pull: Boolean(owner) || !repo.private };
  }

  #repoJson(repo: FakeRepo, login: string | undefined) {
    return repoJson(this.url, repo, this.#perms(repo, login), this.flavor === "gitea");
  }

  // ── git ───────────────────────────────────────────────────────────────────────────────────

  async #create(
    owner: FakeAccount,
    o: { name: string; description: string; private: boolean; defaultBranch: string },
  ): Promise<FakeRepo> {
    const repo: FakeRepo = {
      id: this.#nextId++,
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

  async #commit(
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

  #gitHttp(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const m = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (!m) return false;
    const repo = this.repo(m[1]!, m[2]!);
    const token = this.#tokenOf(req.headers);
    const info = token ? this.#tokens.get(token) : undefined;
    const pushing = url.searchParams.get("service") === "git-receive-pack" || m[3] === "/git-receive-pack";
    const perms = repo ? this.#perms(repo, info?.login) : undefined;
    if (!repo || !perms?.pull || (pushing && !perms.push)) {
      if (!info) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="Gitea"' }).end("Unauthorized\n");
      } else res.writeHead(404).end("Not found\n");
      return true;
    }
    serveGitHttp(req, res, {
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
    if (method === "GET" && p === "/version") {
      return { status: 200, json: { version: this.flavor === "gitea" ? "1.27.1" : "16.0.1+gitea-1.22.0" } };
    }
    const auth = this.#auth(req);
    if ("status" in auth) return auth;
    const me = this.#accounts.get(auth.login)!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const at = (re: RegExp) => re.exec(p) ?? undefined;

    if (method === "GET" && p === "/user") {
      return this.#scope(auth, "read", "user") ?? { status: 200, json: accountJson(this.url, me) };
    }
    if (method === "GET" && p === "/user/repos") {
      const denied = this.#scope(auth, "read", "user", "repository");
      if (denied) return denied;
      const mine = this.repos().filter((r) => this.#perms(r, me.login).admin);
      return { status: 200, json: mine.map((r) => this.#repoJson(r, me.login)) };
    }
    if (method === "GET" && p === "/user/orgs") {
      const denied = this.#scope(auth, "read", "user", "organization");
      if (denied) return denied;
      const orgs = [...this.#members].filter(([, ms]) => ms.has(me.login)).map(([o]) => this.#accounts.get(o)!);
      return { status: 200, json: orgs.map((o) => orgJson(this.url, o)) };
    }
    if (method === "POST" && p === "/user/repos") {
      return this.#scope(auth, "write", "user", "repository") ?? this.#createRepo(me, me, body);
    }
    const orgPath = at(/^\/orgs\/([^/]+)$/);
    if (orgPath && method === "GET") {
      const org = this.#accounts.get(decodeURIComponent(orgPath[1]!));
      const denied = this.#scope(auth, "read", "organization");
      if (denied) return denied;
      if (org?.kind !== "org") return this.#notFound();
      return { status: 200, json: orgJson(this.url, org) };
    }
    const orgRepos = at(/^\/orgs\/([^/]+)\/repos$/);
    if (orgRepos && method === "POST") {
      const denied = this.#scope(auth, "write", "organization");
      if (denied) return denied;
      const org = this.#accounts.get(decodeURIComponent(orgRepos[1]!));
      if (org?.kind !== "org") return this.#notFound();
      if (!this.#members.get(org.login)?.has(me.login)) {
        return msg(this.url, "Given user is not allowed to create repository in organization.", 403);
      }
      return this.#createRepo(me, org, body);
    }
    const generate = at(/^\/repos\/([^/]+)\/([^/]+)\/generate$/);
    if (generate && method === "POST") {
      return this.#scope(auth, "write", "repository") ?? this.#generate(me, generate[1]!, generate[2]!, body);
    }
    const byId = at(/^\/repositories\/(\d+)$/);
    if (byId && method === "GET") {
      const denied = this.#scope(auth, "read", "repository");
      if (denied) return denied;
      const repo = this.repos().find((r) => r.id === Number(byId[1]));
      if (!repo || !this.#perms(repo, me.login).pull) return this.#notFound();
      return { status: 200, json: this.#repoJson(repo, me.login) };
    }
    const repoPath = at(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/);
    if (repoPath) {
      const repo = this.repo(decodeURIComponent(repoPath[1]!), decodeURIComponent(repoPath[2]!));
      const denied = this.#scope(auth, method === "GET" ? "read" : "write", "repository");
      if (denied) return denied;
      if (!repo || !this.#perms(repo, me.login).pull) return this.#notFound();
      return this.#repoRoute(req, me, repo, repoPath[3] ?? "", body);
    }
    return this.#notFound();
  }

  #notFound(): FakeResponse {
    return {
      status: 404,
      json: { message: "The target couldn't be found.", url: `${this.url}/api/swagger`, errors: [] },
    };
  }

  #validName(name: unknown): FakeResponse | undefined {
    if (typeof name !== "string" || name === "") return msg(this.url, "[Name]: Required", 422);
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) return msg(this.url, "[Name]: AlphaDashDot", 422);
    if (name.length > 100) return msg(this.url, "[Name]: MaxSize", 422);
    if (/\.git$|\.wiki$/i.test(name) || [".", ".."].includes(name)) {
      return msg(this.url, `name is reserved [name: ${name}]`, 422);
    }
    return undefined;
  }

  async #createRepo(me: FakeAccount, owner: FakeAccount, body: Record<string, unknown>): Promise<FakeResponse> {
    const invalid = this.#validName(body.name);
    if (invalid) return invalid;
    const name = body.name as string;
    if (this.repo(owner.login, name)) return msg(this.url, "The repository with the same name already exists.", 409);
    const repo = await this.#create(owner, {
      name,
      description: String(body.description ?? ""),
      private: Boolean(body.private),
      defaultBranch: String(body.default_branch ?? "main"),
    });
    if (body.auto_init) {
      await this.#commit(
        repo,
        repo.defaultBranch,
        "Initial commit",
        [{ path: "README.md", content: Buffer.from(`# ${name}\n\n${repo.description}\n`) }],
        me.login,
      );
    }
    return { status: 201, json: this.#repoJson(repo, me.login) };
  }

  async #generate(
    me: FakeAccount,
    tOwner: string,
    tName: string,
    body: Record<string, unknown>,
  ): Promise<FakeResponse> {
    const template = this.repo(decodeURIComponent(tOwner), decodeURIComponent(tName));
    if (!template || !this.#perms(template, me.login).pull) return this.#notFound();
    const owner = this.#accounts.get(String(body.owner ?? ""));
    if (!owner) return { status: 404, json: { error: `request owner \`${String(body.owner)}\` does not exist` } };
    if (owner.login !== me.login && !me.isAdmin) {
      if (owner.kind === "user") return msg(this.url, "Only admin can generate repository for other user.", 403);
      if (!this.#members.get(owner.login)?.has(me.login)) {
        return msg(this.url, "Given user is not allowed to create repository in organization.", 403);
      }
    }
    const items = ["git_content", "topics", "git_hooks", "webhooks", "avatar", "labels", "protected_branch"];
    if (!items.some((k) => body[k] === true)) return msg(this.url, "must select at least one template item", 422);
    if (!template.template) return msg(this.url, "this is not a template repo", 422);
    const invalid = this.#validName(body.name);
    if (invalid) return invalid;
    const name = body.name as string;
    if (this.repo(owner.login, name)) return msg(this.url, "The repository with the same name already exists.", 409);
    const repo = await this.#create(owner, {
      name,
      description: String(body.description ?? ""),
      private: Boolean(body.private),
      defaultBranch: String(body.default_branch || template.defaultBranch),
    });
    if (body.topics) repo.topics = [...template.topics];
    if (body.git_content) {
      const files = await this.git.files(template.owner.login, template.name, template.defaultBranch);
      const vars = templateVariables({
        name,
        owner: owner.login,
        description: repo.description,
        link: `${this.url}/${owner.login}/${name}`,
        templateName: template.name,
        templateOwner: template.owner.login,
      });
      const expanded = applyTemplate(files, vars);
      if (expanded.length) await this.#commit(repo, repo.defaultBranch, "Initial commit", expanded, me.login);
    }
    return { status: 201, json: this.#repoJson(repo, me.login) };
  }

  async #repoRoute(
    req: FakeRequest,
    me: FakeAccount,
    repo: FakeRepo,
    rest: string,
    body: Record<string, unknown>,
  ): Promise<FakeResponse> {
    const { method } = req;
    const perms = this.#perms(repo, me.login);
    if (method === "GET" && rest === "") return { status: 200, json: this.#repoJson(repo, me.login) };
    if (method !== "GET" && !perms.push) return msg(this.url, "user should have a permission to write to a repo", 403);
    if (method === "PATCH" && rest === "") {
      if (typeof body.template === "boolean") repo.template = body.template;
      if (typeof body.description === "string") repo.description = body.description;
      return { status: 200, json: this.#repoJson(repo, me.login) };
    }
    if (method === "DELETE" && rest === "") {
      if (!perms.admin) return msg(this.url, "Given user is not owner of organization.", 403);
      this.#repos.delete(`${repo.owner.login}/${repo.name}`.toLowerCase());
      this.git.remove(repo.owner.login, repo.name);
      return { status: 204 };
    }
    if (rest === "/topics" && method === "GET") return { status: 200, json: { topics: repo.topics } };
    if (rest === "/topics" && method === "PUT") {
      const topics = ((body.topics ?? []) as string[]).map((t) => t.trim().toLowerCase());
      const invalid = topics.filter((t) => !/^[a-z0-9][-.a-z0-9]*$/.test(t) || t.length > 35);
      if (invalid.length) return { status: 422, json: { invalidTopics: invalid, message: "Invalid topics" } };
      repo.topics = [...new Set(topics)];
      return { status: 204 };
    }
    if (rest === "/hooks" && method === "GET") return { status: 200, json: repo.hooks.map(hookJson) };
    if (rest === "/hooks" && method === "POST") {
      if (!perms.admin) return msg(this.url, "Must be repo admin", 403);
      const hook = {
        id: this.#nextId++,
        type: String(body.type),
        config: (body.config ?? {}) as Record<string, string>,
        events: (body.events ?? []) as string[],
        active: Boolean(body.active),
        createdAt: now(),
      };
      repo.hooks.push(hook);
      return { status: 201, json: hookJson(hook) };
    }
    if (rest === "/contents" && method === "POST") return this.#changeFiles(repo, me, body);
    return this.#notFound();
  }

  async #changeFiles(repo: FakeRepo, me: FakeAccount, body: Record<string, unknown>): Promise<FakeResponse> {
    const branch = String(body.branch || repo.defaultBranch);
    const owner = repo.owner.login;
    if (!repo.empty && !(await this.git.head(owner, repo.name, branch))) {
      return msg(this.url, `branch does not exist [name: ${branch}]`, 404);
    }
    const ops = (body.files ?? []) as { operation: string; path: string; content?: string }[];
    for (const op of ops) {
      if (op.operation !== "create") return msg(this.url, `the fake supports "create" only, not ${op.operation}`, 422);
      if (await this.git.blob(owner, repo.name, branch, op.path)) {
        return msg(this.url, `repository file already exists [path: ${op.path}]`, 422);
      }
    }
    const files = ops.map((op) => ({ path: op.path, content: Buffer.from(op.content ?? "", "base64") }));
    const message = String(body.message || `Add ${files.map((f) => f.path).join(", ")}`);
    const result = await this.#commit(repo, branch, message, files, me.login);
    const json = filesResponseJson(
      this.url,
      `${owner}/${repo.name}`,
      branch,
      { sha: result.commit, parent: result.parent, message, author: result.author },
      files.map((f) => ({
        path: f.path,
        sha: result.blobs[f.path]!,
        size: f.content.length,
        content: f.content.toString("base64"),
      })),
    );
    return { status: 201, json };
  }
}
