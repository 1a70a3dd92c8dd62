import { z } from "zod";
import { HttpJsonClient } from "../../http/json-client.js";
import type { Secret } from "../../secret.js";
import type {
  CombinedCommitStatus,
  FileToCommit,
  Forge,
  ForgePullRequest,
  ForgeRepo,
  ForgeServer,
  ForgeUser,
  NewPullRequest,
  NewRepo,
  ScopeCheck,
} from "../forge.js";
import { ErrServiceStatus, type ServiceDescriptor, serviceErrors } from "../service-errors.js";
import { CombinedStatus, ErrorBody, FilesResponse, PullRequest, Repository, ServerVersion, User } from "./schemas.js";

export interface GiteaForgeOptions {
  /** The forge's root URL (the API is under /api/v1). */
  url: string;
  token: Secret;
  /** Where the token came from (for the sentence a refused token gets). */
  tokenSource?: "store" | "env";
  timeoutMs?: number;
}

/** The server's sentence from a Gitea error body excerpt (JSON `message` or `error`), else the text. */
export function giteaMessage(body: string): string {
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(body));
    if (parsed.success) return parsed.data.message || parsed.data.error || "";
  } catch {
    // not JSON: keep the text
  }
  return body;
}

/** Forgejo says so in its version: `16.0.1+gitea-1.22.0`. */
export function flavorOf(version: string): ForgeServer["flavor"] {
  return /\+gitea-|forgejo/i.test(version) ? "forgejo" : "gitea";
}

const seg = encodeURIComponent;
const notFoundOk = (s: number) => (s >= 200 && s < 300) || s === 404;

function toRepo(r: Repository): ForgeRepo {
  return {
    id: r.id,
    owner: r.owner.login,
    name: r.name,
    fullName: r.full_name,
    description: r.description,
    private: r.private,
    empty: r.empty,
    template: r.template,
    defaultBranch: r.default_branch,
    htmlUrl: r.html_url,
    cloneUrl: r.clone_url,
    topics: r.topics,
    canAdmin: r.permissions?.admin ?? false,
  };
}

function toPullRequest(p: PullRequest): ForgePullRequest {
  return {
    number: p.number,
    htmlUrl: p.html_url,
    state: p.state,
    merged: p.merged ?? false,
    head: { ref: p.head.ref, sha: p.head.sha },
    base: { ref: p.base.ref },
  };
}

/** Open pull requests read per page when looking one up by its head branch. */
const PullsPage = 50;

/**
 * Gitea and Forgejo (API v1) on the shared HttpJsonClient: `Authorization: token …` per call, every
 * failure a named error (401 token refused, 403 missing scope named, 404, 409 conflict, 422 invalid)
 * carrying the server's message. Only operations both flavors have, with the operations both accept
 * (ChangeFiles `create`, never Gitea-only `upload`).
 */
export class GiteaForge implements Forge {
  readonly baseUrl: string;
  readonly #http: HttpJsonClient;
  readonly #descriptor: ServiceDescriptor;
  #server?: Promise<ForgeServer>;
  #me?: Promise<ForgeUser>;

  constructor(options: GiteaForgeOptions) {
    this.baseUrl = options.url.replace(/\/+$/, "");
    this.#descriptor = {
      id: "gitea",
      label: "Gitea",
      baseUrl: this.baseUrl,
      tokenName: "GITEA_TOKEN",
      tokenSource: options.tokenSource,
      messageOf: giteaMessage,
    };
    this.#http = new HttpJsonClient({
      service: "gitea",
      baseUrl: `${this.baseUrl}/api/v1`,
      timeoutMs: options.timeoutMs,
      headers: () => ({ authorization: `token ${options.token.reveal()}` }),
      errors: serviceErrors(this.#descriptor),
    });
  }

  server(): Promise<ForgeServer> {
    this.#server ??= this.#http.json("GET", "/version", ServerVersion).then((v) => {
      const flavor = flavorOf(v.version);
      this.#descriptor.label = flavor === "forgejo" ? "Forgejo" : "Gitea";
      return { flavor, version: v.version };
    });
    this.#server.catch(() => {
      this.#server = undefined;
    });
    return this.#server;
  }

  whoami(): Promise<ForgeUser> {
    this.#me ??= this.#http
      .json("GET", "/user", User)
      .then((u) => ({ id: u.id, login: u.login, isAdmin: u.is_admin ?? false }));
    this.#me.catch(() => {
      this.#me = undefined;
    });
    return this.#me;
  }

  async probeScopes(): Promise<ScopeCheck[]> {
    const probes: [string, string][] = [
      ["read:user", "/user"],
      ["read:repository", "/user/repos"],
      ["read:organization", "/user/orgs"],
    ];
    return Promise.all(
      probes.map(async ([scope, path]) => {
        try {
          await this.#http.text("GET", path, { query: { limit: 1 } });
          return { scope, granted: true };
        } catch (err) {
          if (err instanceof ErrServiceStatus && err.status === 403) return { scope, granted: false };
          throw err;
        }
      }),
    );
  }

  async createRepo(repo: NewRepo): Promise<ForgeRepo> {
    await this.server();
    const me = await this.whoami();
    const path = repo.owner === me.login ? "/user/repos" : `/orgs/${seg(repo.owner)}/repos`;
    const body = {
      name: repo.name,
      description: repo.description,
      private: repo.private,
      auto_init: false,
      default_branch: repo.defaultBranch,
    };
    return toRepo(await this.#http.json("POST", path, Repository, { body }));
  }

  async generateRepo(template: { owner: string; repo: string }, repo: NewRepo): Promise<ForgeRepo> {
    await this.server();
    const body = {
      owner: repo.owner,
      name: repo.name,
      description: repo.description,
      private: repo.private,
      default_branch: repo.defaultBranch,
      git_content: true,
      topics: true,
      labels: true,
      // The template's hooks would carry its own Woodpecker hook token: never copy them.
      webhooks: false,
      git_hooks: false,
      avatar: false,
      protected_branch: false,
    };
    const path = `/repos/${seg(template.owner)}/${seg(template.repo)}/generate`;
    return toRepo(await this.#http.json("POST", path, Repository, { body }));
  }

  async getRepo(owner: string, name: string): Promise<ForgeRepo | undefined> {
    return this.#maybeRepo(`/repos/${seg(owner)}/${seg(name)}`);
  }

  async getRepoById(id: number): Promise<ForgeRepo | undefined> {
    return this.#maybeRepo(`/repositories/${id}`);
  }

  async commitFiles(
    owner: string,
    name: string,
    commit: { branch: string; message: string; files: FileToCommit[] },
  ): Promise<{ sha: string }> {
    const body = {
      branch: commit.branch,
      message: commit.message,
      files: commit.files.map((f) => ({ operation: "create", path: f.path, content: f.content.toString("base64") })),
    };
    const path = `/repos/${seg(owner)}/${seg(name)}/contents`;
    const res = await this.#http.json("POST", path, FilesResponse, { body });
    return { sha: res.commit?.sha ?? "" };
  }

  async setTopics(owner: string, name: string, topics: string[]): Promise<void> {
    await this.#http.text("PUT", `/repos/${seg(owner)}/${seg(name)}/topics`, { body: { topics } });
  }

  async deleteRepo(owner: string, name: string): Promise<void> {
    await this.#http.text("DELETE", `/repos/${seg(owner)}/${seg(name)}`);
  }

  async findPullRequest(owner: string, name: string, head: string): Promise<ForgePullRequest | undefined> {
    const path = `/repos/${seg(owner)}/${seg(name)}/pulls`;
    for (let page = 1; page <= 20; page++) {
      const query = { state: "open", limit: PullsPage, page };
      const prs = await this.#http.json("GET", path, z.array(PullRequest), { query });
      const found = prs.find((p) => p.head.ref === head);
      if (found) return toPullRequest(found);
      if (prs.length < PullsPage) return undefined;
    }
    return undefined;
  }

  async createPullRequest(owner: string, name: string, pr: NewPullRequest): Promise<ForgePullRequest> {
    const path = `/repos/${seg(owner)}/${seg(name)}/pulls`;
    const body = { head: pr.head, base: pr.base, title: pr.title, body: pr.body };
    return toPullRequest(await this.#http.json("POST", path, PullRequest, { body }));
  }

  async commitStatus(owner: string, name: string, ref: string): Promise<CombinedCommitStatus> {
    const path = `/repos/${seg(owner)}/${seg(name)}/commits/${seg(ref)}/status`;
    const s = await this.#http.json("GET", path, CombinedStatus, { query: { limit: 50 } });
    return {
      state: s.state,
      sha: s.sha,
      statuses: s.statuses.map((x) => ({
        context: x.context,
        state: x.status,
        description: x.description ?? "",
        targetUrl: x.target_url ?? "",
      })),
    };
  }

  async #maybeRepo(path: string): Promise<ForgeRepo | undefined> {
    const res = await this.#http.text("GET", path, { accept: notFoundOk });
    if (res.status === 404) return undefined;
    return toRepo(this.#http.parse("GET", path, res.text, Repository));
  }
}
