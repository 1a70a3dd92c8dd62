import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ContractServer, type FakeRequest, type FakeResponse } from "./contract-server.js";
import type { FakeGitea } from "./fake-gitea.js";
import { woodpeckerContract } from "./swagger-contract.js";
import { pipelineJson, repoJson, secretJson, type WPipeline, type WRepo, type WStep } from "./woodpecker-json.js";
import { advancePipeline, type PipelineScript, startPipeline } from "./woodpecker-pipelines.js";

export type { PipelineScript } from "./woodpecker-pipelines.js";

interface StoredSecret {
  id: number;
  name: string;
  value: string;
  events: string[];
  images: string[];
  note: string;
}

const text = (status: number, body = ""): FakeResponse => ({ status, text: body });

/**
 * A contract fake of Woodpecker CI 3.17 on 127.0.0.1, wired to a FakeGitea the way the real server
 * is: activation reads the forge repository with the Woodpecker user's forge token (403 unless
 * that user is its admin) and creates a webhook; a manual pipeline clones the repository over real
 * git and runs the workflows whose `when` admits `manual` (none: 204 Pipeline-Filtered). Errors are
 * the real plain-text (or empty) bodies. Pipelines advance per poll, ending as `outcome` says.
 */
export class FakeWoodpecker {
  readonly server: ContractServer;
  /** The bot's Woodpecker personal access token. */
  readonly token = randomBytes(24).toString("base64url");
  version = "3.17.0";
  /** Forced answer to activation (e.g. the allowlist's 403), instead of the forge check. */
  refuseActivation?: { status: number; text: string };
  outcome: PipelineScript | ((pipeline: { repo: string; number: number }) => PipelineScript) = { status: "success" };
  /** Status polls until a pipeline finishes (Infinity: it never does). */
  pollsUntilDone = 2;
  readonly repos = new Map<number, WRepo>();
  readonly secrets = new Map<number, Map<string, StoredSecret>>();
  readonly pipelines = new Map<number, WPipeline[]>();
  readonly #forgeToken: string;
  readonly #gitea: FakeGitea;
  readonly #login: string;
  #nextId = 7;

  constructor(gitea: FakeGitea, options: { forgeUser?: string } = {}) {
    this.#gitea = gitea;
    this.#login = options.forgeUser ?? gitea.bot;
    this.#forgeToken = gitea.addToken(this.#login, ["write:repository", "read:user", "read:organization"]);
    this.server = new ContractServer(
      "woodpecker",
      woodpeckerContract(),
      (p) => (p === "/version" ? "/version" : p.startsWith("/api/") && p !== "/api/version" ? p.slice(4) : undefined),
      (req) => this.#route(req),
      (req, res, url) => this.#raw(req, res, url),
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
  }

  #raw(_req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (url.pathname === "/healthz") {
      res.writeHead(204).end();
      return true;
    }
    // The web UI answers every other path, /api/version included.
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Woodpecker</title>");
    return true;
  }

  /**
   * What Woodpecker does on a push to a repository it watches: a pipeline for the commit (a clone
   * step, then `test`), finished at once as `script` says, and its verdict posted to the forge as
   * a commit status (`state` pending first when `pendingFirst`), with the pipeline as target.
   */
  async reportPush(input: {
    owner: string;
    name: string;
    branch: string;
    sha: string;
    script?: PipelineScript;
  }): Promise<{ number: number; url: string }> {
    const repo = [...this.repos.values()].find(
      (r) => `${r.owner}/${r.name}`.toLowerCase() === `${input.owner}/${input.name}`.toLowerCase(),
    );
    if (!repo) throw new Error(`the fake Woodpecker does not watch ${input.owner}/${input.name}`);
    const pipelines = this.pipelines.get(repo.id) ?? [];
    this.pipelines.set(repo.id, pipelines);
    const step = (pid: number, name: string, type: "clone" | "commands"): WStep => ({
      id: this.#nextId++,
      pid,
      name,
      type,
      state: "pending",
      exitCode: 0,
      log: [`+ ${name}`],
    });
    const pipeline: WPipeline = {
      id: this.#nextId++,
      number: pipelines.length + 1,
      branch: input.branch,
      commit: input.sha,
      author: this.#login,
      status: "pending",
      variables: {},
      created: Math.floor(Date.now() / 1000),
      started: 0,
      finished: 0,
      polls: 0,
      workflows: [
        {
          id: this.#nextId++,
          pid: 1,
          name: "woodpecker",
          state: "pending",
          steps: [step(2, "clone", "clone"), step(3, "test", "commands")],
        },
      ],
    };
    pipelines.push(pipeline);
    const script = input.script ?? { status: "success" };
    advancePipeline(pipeline, script, 0);
    const url = `${this.url}/repos/${repo.id}/pipeline/${pipeline.number}`;
    const res = await this.#forge("POST", `/repos/${input.owner}/${input.name}/statuses/${input.sha}`, {
      state: script.status,
      context: "ci/woodpecker/push/woodpecker",
      description: script.status === "success" ? "Pipeline was successful" : "Pipeline failed",
      target_url: url,
    });
    if (res.status !== 201) throw new Error(`the fake Gitea refused the status: ${res.status}`);
    return { number: pipeline.number, url };
  }

  async #forge(method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.#gitea.url}/api/v1${p}`, {
      method,
      headers: { authorization: `token ${this.#forgeToken}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const raw = await res.text();
    return { status: res.status, json: raw ? JSON.parse(raw) : undefined };
  }

  async #route(req: FakeRequest): Promise<FakeResponse> {
    const { method, path: p } = req;
    if (method === "GET" && p === "/version") {
      return { status: 200, json: { source: "https://github.com/woodpecker-ci/woodpecker", version: this.version } };
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      // An unknown token is an anonymous caller: user routes say so, repository routes send nothing.
      return p.startsWith("/user") || p === "/repos" ? text(401, "User not authorized") : text(401);
    }
    if (method === "GET" && p === "/user") {
      return {
        status: 200,
        json: {
          id: 1,
          forge_id: 1,
          login: this.#login,
          email: `${this.#login}@example.com`,
          avatar_url: "",
          admin: false,
          org_id: 5,
        },
      };
    }
    if (method === "GET" && p === "/user/repos") {
      return { status: 200, json: [...this.repos.values()].map(repoJson) };
    }
    if (method === "POST" && p === "/repos") return this.#activate(req.query.get("forge_remote_id"));
    const lookup = /^\/repos\/lookup\/(.+)$/.exec(p);
    if (lookup && method === "GET") {
      const full = decodeURIComponent(lookup[1]!).toLowerCase();
      const repo = [...this.repos.values()].find((r) => `${r.owner}/${r.name}`.toLowerCase() === full);
      return repo ? { status: 200, json: repoJson(repo) } : text(404);
    }
    const byId = /^\/repos\/(\d+)(\/.*)?$/.exec(p);
    const repo = byId ? this.repos.get(Number(byId[1])) : undefined;
    if (!byId || !repo) return text(404);
    return this.#repoRoute(req, repo, byId[2] ?? "");
  }

  async #activate(forgeRemoteId: string | null): Promise<FakeResponse> {
    if (!forgeRemoteId || !/^\d+$/.test(forgeRemoteId)) return text(400, "No forge_remote_id provided");
    if (this.refuseActivation) return text(this.refuseActivation.status, this.refuseActivation.text);
    const forgeRepo = await this.#forge("GET", `/repositories/${forgeRemoteId}`);
    if (forgeRepo.status !== 200) return text(500, "Could not fetch repository from forge.");
    const r = forgeRepo.json as {
      name: string;
      owner: { login: string };
      html_url: string;
      clone_url: string;
      default_branch: string;
      private: boolean;
      permissions: { admin: boolean };
    };
    if (!r.permissions.admin) return text(403, "User has to be a admin of this repository");
    const same = [...this.repos.values()].find((x) => x.forgeRemoteId === forgeRemoteId);
    if (same?.active) return text(409, "Repository is already active.");
    const stale = [...this.repos.values()].find(
      (x) => x.forgeRemoteId !== forgeRemoteId && `${x.owner}/${x.name}` === `${r.owner.login}/${r.name}`,
    );
    if (stale)
      return text(409, "Repository already exists in Woodpecker. Remove the stale repository entry and try again.");
    const hook = await this.#forge("POST", `/repos/${r.owner.login}/${r.name}/hooks`, {
      type: "gitea",
      config: {
        url: `${this.url}/api/hook?access_token=${randomBytes(8).toString("hex")}`,
        secret: randomBytes(8).toString("hex"),
        content_type: "json",
      },
      events: ["push", "create", "pull_request", "release"],
      active: true,
    });
    if (hook.status !== 201) return text(500, "could not create webhook in forge.");
    const repo: WRepo = same ?? {
      id: this.#nextId++,
      forgeRemoteId,
      owner: r.owner.login,
      name: r.name,
      forgeUrl: r.html_url,
      cloneUrl: r.clone_url,
      defaultBranch: r.default_branch,
      private: r.private,
      active: true,
    };
    repo.active = true;
    this.repos.set(repo.id, repo);
    return { status: 200, json: repoJson(repo) };
  }

  async #repoRoute(req: FakeRequest, repo: WRepo, rest: string): Promise<FakeResponse> {
    const { method } = req;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (rest === "" && method === "GET") return { status: 200, json: repoJson(repo) };
    if (rest === "" && method === "DELETE") {
      repo.active = false;
      if (req.query.get("remove") === "true") this.repos.delete(repo.id);
      return { status: 200, json: repoJson(repo) };
    }
    const secrets = this.secrets.get(repo.id) ?? new Map<string, StoredSecret>();
    this.secrets.set(repo.id, secrets);
    const at = (re: RegExp) => re.exec(rest) ?? undefined;
    if (rest === "/secrets" && method === "POST") {
      const name = String(body.name ?? "");
      const events = (body.events ?? []) as string[];
      if (!events.length) return text(422, "Error inserting secret. invalid secret event: no event specified");
      if (secrets.has(name)) {
        return text(500, `Error inserting secret "${name}". on insert duplicate based on constraints was detected`);
      }
      const s = {
        id: this.#nextId++,
        name,
        value: String(body.value ?? ""),
        events,
        images: (body.images ?? []) as string[],
        note: String(body.note ?? ""),
      };
      secrets.set(name, s);
      return { status: 200, json: secretJson(repo.id, s) };
    }
    const secretPath = at(/^\/secrets\/([^/]+)$/);
    if (secretPath) {
      const s = secrets.get(decodeURIComponent(secretPath[1]!));
      if (!s) return text(404);
      if (method === "GET") return { status: 200, json: secretJson(repo.id, s) };
      if (method === "PATCH") {
        if (typeof body.value === "string" && body.value) s.value = body.value;
        if (Array.isArray(body.events)) s.events = body.events as string[];
        return { status: 200, json: secretJson(repo.id, s) };
      }
    }
    const pipelines = this.pipelines.get(repo.id) ?? [];
    this.pipelines.set(repo.id, pipelines);
    if (rest === "/pipelines" && method === "POST") {
      return startPipeline({
        repo,
        pipelines,
        body,
        forgeToken: this.#forgeToken,
        author: this.#login,
        nextId: () => this.#nextId++,
      });
    }
    if (rest === "/pipelines" && method === "GET") {
      const branch = req.query.get("branch");
      const list = pipelines.filter((p) => !branch || p.branch === branch).reverse();
      const perPage = Number(req.query.get("perPage") ?? 50);
      return { status: 200, json: list.slice(0, perPage).map((p) => pipelineJson(repo, p, false)) };
    }
    const one = at(/^\/pipelines\/(\d+|latest)$/);
    if (one && method === "GET") {
      const p = one[1] === "latest" ? pipelines.at(-1) : pipelines.find((x) => x.number === Number(one[1]));
      if (!p) return text(404);
      const script =
        typeof this.outcome === "function"
          ? this.outcome({ repo: `${repo.owner}/${repo.name}`, number: p.number })
          : this.outcome;
      advancePipeline(p, script, this.pollsUntilDone);
      return { status: 200, json: pipelineJson(repo, p, true) };
    }
    const logs = at(/^\/logs\/(\d+)\/(\d+)$/);
    if (logs && method === "GET") {
      const p = pipelines.find((x) => x.number === Number(logs[1]));
      const step = p?.workflows.flatMap((w) => w.steps).find((s) => s.id === Number(logs[2]));
      if (!step) return text(404);
      const json = step.log.map((line, i) => ({
        id: i + 1,
        step_id: step.id,
        time: i,
        line: i,
        data: Buffer.from(`${line}\n`).toString("base64"),
        type: 0,
      }));
      return { status: 200, json };
    }
    return text(404);
  }
}
