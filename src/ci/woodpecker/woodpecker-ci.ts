import { HttpJsonClient } from "../../http/json-client.js";
import type { Secret } from "../../secret.js";
import type { ActivateResult, CIProvider, CiPipeline, CiRepo, CiSecret, TriggerResult } from "../ci-provider.js";
import { ErrCiStaleRepo, ErrCiVersionUnsupported } from "../errors.js";
import { ErrConflict, ErrNotFound, ErrServerFailed, type ServiceDescriptor, serviceErrors } from "../service-errors.js";
import { LogEntries, Pipeline, Pipelines, Repo, Secret as SecretBody, User, Version } from "./schemas.js";
import { supportsVersion } from "./version.js";

export interface WoodpeckerOptions {
  /** The server's root URL (the API is under /api, the version at the root). */
  url: string;
  token: Secret;
  tokenSource?: "store" | "env";
  timeoutMs?: number;
}

const is2xx = (s: number) => s >= 200 && s < 300;

/**
 * Woodpecker CI 2.x/3.x on the shared HttpJsonClient (`Authorization: Bearer …`). Its errors are
 * plain text or empty bodies; they stay in each error's context. The version is checked once,
 * before the first API call: a 1.x server is refused with `ErrCiVersionUnsupported`.
 */
export class WoodpeckerCi implements CIProvider {
  readonly baseUrl: string;
  readonly #http: HttpJsonClient;
  #version?: Promise<string>;

  constructor(options: WoodpeckerOptions) {
    this.baseUrl = options.url.replace(/\/+$/, "");
    const descriptor: ServiceDescriptor = {
      id: "woodpecker",
      label: "Woodpecker",
      baseUrl: this.baseUrl,
      tokenName: "WOODPECKER_API_TOKEN",
      tokenSource: options.tokenSource,
      messageOf: (body) => body.trim(),
    };
    this.#http = new HttpJsonClient({
      service: "woodpecker",
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: () => ({ authorization: `Bearer ${options.token.reveal()}` }),
      errors: serviceErrors(descriptor),
    });
  }

  version(): Promise<string> {
    // `/version` is served at the root; `/api/version` answers the web UI's index.html.
    this.#version ??= this.#http.json("GET", "/version", Version).then((v) => {
      if (!supportsVersion(v.version)) throw new ErrCiVersionUnsupported(this.baseUrl, v.version);
      return v.version;
    });
    this.#version.catch(() => {
      this.#version = undefined;
    });
    return this.#version;
  }

  async whoami(): Promise<{ login: string; admin: boolean }> {
    await this.version();
    return this.#http.json("GET", "/api/user", User);
  }

  async lookupRepo(fullName: string): Promise<CiRepo | undefined> {
    await this.version();
    const path = `/api/repos/lookup/${fullName.split("/").map(encodeURIComponent).join("/")}`;
    const res = await this.#http.text("GET", path, { accept: (s) => is2xx(s) || s === 404 });
    if (res.status === 404) return undefined;
    return this.#repo(this.#http.parse("GET", path, res.text, Repo));
  }

  async activateRepo(forgeRemoteId: number): Promise<ActivateResult> {
    await this.version();
    const path = "/api/repos";
    const query = { forge_remote_id: String(forgeRemoteId) };
    try {
      return { kind: "activated", repo: this.#repo(await this.#http.json("POST", path, Repo, { query })) };
    } catch (err) {
      if (!(err instanceof ErrConflict)) throw err;
      if (!/already active/i.test(err.serverMessage))
        throw new ErrCiStaleRepo(`forge repository ${forgeRemoteId}`, err.serverMessage);
      const repos = await this.#http.json("GET", "/api/user/repos", Repo.array(), { query: { all: true } });
      const repo = repos.find((r) => r.forge_remote_id === String(forgeRemoteId));
      if (!repo) throw err;
      return { kind: "already_active", repo: this.#repo(repo) };
    }
  }

  async deactivateRepo(repoId: number): Promise<void> {
    await this.version();
    await this.#http.text("DELETE", `/api/repos/${repoId}`);
  }

  async upsertSecret(repoId: number, secret: CiSecret): Promise<"created" | "updated"> {
    await this.version();
    const base = `/api/repos/${repoId}/secrets`;
    const one = `${base}/${encodeURIComponent(secret.name)}`;
    const body = () => ({ name: secret.name, value: secret.value.reveal(), events: secret.events, images: [] });
    const existing = await this.#http.text("GET", one, { accept: (s) => is2xx(s) || s === 404 });
    if (existing.status !== 404) {
      await this.#http.json("PATCH", one, SecretBody, { body: body() });
      return "updated";
    }
    try {
      await this.#http.json("POST", base, SecretBody, { body: body() });
      return "created";
    } catch (err) {
      // Created meanwhile: Woodpecker answers a duplicate name with 500, not 409.
      if (!(err instanceof ErrServerFailed && /duplicate/i.test(err.serverMessage))) throw err;
      await this.#http.json("PATCH", one, SecretBody, { body: body() });
      return "updated";
    }
  }

  async triggerBuild(repoId: number, branch: string, variables: Record<string, string> = {}): Promise<TriggerResult> {
    await this.version();
    const path = `/api/repos/${repoId}/pipelines`;
    const res = await this.#http.text("POST", path, { body: { branch, variables } });
    if (res.status === 204) return { kind: "filtered" };
    return { kind: "started", pipeline: this.#pipeline(repoId, this.#http.parse("POST", path, res.text, Pipeline)) };
  }

  async pipeline(repoId: number, number: number): Promise<CiPipeline> {
    await this.version();
    return this.#pipeline(repoId, await this.#http.json("GET", `/api/repos/${repoId}/pipelines/${number}`, Pipeline));
  }

  async latestPipeline(repoId: number, branch: string): Promise<CiPipeline | undefined> {
    await this.version();
    const list = await this.#http.json("GET", `/api/repos/${repoId}/pipelines`, Pipelines, {
      query: { branch, page: 1, perPage: 1 },
    });
    return list[0] ? this.#pipeline(repoId, list[0]) : undefined;
  }

  async stepLogs(repoId: number, number: number, stepId: number): Promise<string[]> {
    await this.version();
    try {
      const entries = await this.#http.json("GET", `/api/repos/${repoId}/logs/${number}/${stepId}`, LogEntries);
      return entries
        .sort((a, b) => a.line - b.line)
        .map((e) =>
          Buffer.from(e.data ?? "", "base64")
            .toString("utf8")
            .replace(/\r?\n$/, ""),
        );
    } catch (err) {
      if (err instanceof ErrNotFound) return [];
      throw err;
    }
  }

  addRepoUrl(): string {
    return `${this.baseUrl}/repos/add`;
  }

  #repo(r: Repo): CiRepo {
    return {
      id: r.id,
      forgeRemoteId: r.forge_remote_id,
      fullName: r.full_name,
      active: r.active,
      url: `${this.baseUrl}/repos/${r.id}`,
    };
  }

  #pipeline(repoId: number, p: Pipeline): CiPipeline {
    return {
      number: p.number,
      status: p.status,
      branch: p.branch,
      event: p.event,
      commit: p.commit,
      url: `${this.baseUrl}/repos/${repoId}/pipeline/${p.number}`,
      errors: p.errors.map((e) => e.message).filter(Boolean),
      steps: p.workflows.flatMap((w) =>
        w.children.map((s) => ({ id: s.id, name: s.name, state: s.state, exitCode: s.exit_code, workflow: w.name })),
      ),
    };
  }
}
