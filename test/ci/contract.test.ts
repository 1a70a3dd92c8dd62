import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { giteaContract, woodpeckerContract } from "../support/forge/swagger-contract.js";

/** The fakes are only as honest as the checker: it must pass the real examples and fail wrong ones. */

interface Example {
  name: string;
  method: string;
  path: string;
  request?: unknown;
  status: number;
  response?: unknown;
}

const load = (file: string, key: string) =>
  (
    JSON.parse(readFileSync(new URL(`../fixtures/forge/${file}`, import.meta.url), "utf8")) as Record<string, Example[]>
  )[key]!;

const headers = { authorization: "token x" };

describe("spec checks of the forge fakes", () => {
  const gitea = giteaContract("gitea");
  const forgejo = giteaContract("forgejo");
  const woodpecker = woodpeckerContract();

  it("accept the recorded Gitea and Woodpecker exchanges", () => {
    for (const ex of load("gitea.json", "gitea")) {
      const path = ex.path.replace(/^\/api\/v1/, "");
      const req = { method: ex.method, path, query: new URLSearchParams(), headers, body: ex.request };
      expect(gitea.checkRequest(req), ex.name).toEqual([]);
      if (ex.response)
        expect(gitea.checkResponse({ ...req, status: ex.status, body: ex.response }), ex.name).toEqual([]);
    }
    for (const ex of load("woodpecker.json", "woodpecker")) {
      const url = new URL(ex.path, "http://x");
      const path = url.pathname.replace(/^\/api/, "");
      const req = { method: ex.method, path, query: url.searchParams, headers, body: ex.request };
      expect(woodpecker.checkRequest(req), ex.name).toEqual([]);
      expect(woodpecker.checkResponse({ ...req, status: ex.status, body: ex.response }), ex.name).toEqual([]);
    }
  });

  it("reject what the servers would not accept or send", () => {
    const q = new URLSearchParams();
    // Forgejo has no ChangeFiles "upload" (a true difference from Gitea).
    const upload = { files: [{ operation: "upload", path: "a", content: "" }] };
    expect(
      forgejo.checkRequest({ method: "POST", path: "/repos/a/b/contents", query: q, headers, body: upload }),
    ).toEqual([expect.stringMatching(/operation must be equal to one of the allowed values/)]);
    expect(
      gitea.checkRequest({ method: "POST", path: "/repos/a/b/generate", query: q, headers, body: { name: "x" } }),
    ).toEqual([expect.stringMatching(/must have required property 'owner'/)]);
    expect(gitea.checkResponse({ method: "GET", path: "/repos/a/b", status: 200, body: { id: "42" } })).toEqual([
      expect.stringMatching(/\/id must be integer/),
    ]);
    expect(gitea.checkRequest({ method: "POST", path: "/repos/a/b/deploy", query: q, headers, body: {} })).toEqual([
      "POST /repos/a/b/deploy is not an operation of the spec",
    ]);
    expect(
      woodpecker.checkRequest({
        method: "POST",
        path: "/repos",
        query: q,
        headers: { authorization: "Bearer x" },
        body: undefined,
      }),
    ).toEqual(["POST /repos: query parameter forge_remote_id is required"]);
    expect(woodpecker.checkRequest({ method: "GET", path: "/user", query: q, headers: {}, body: undefined })).toEqual([
      "GET /user: header parameter Authorization is required",
    ]);
    expect(
      woodpecker.checkResponse({ method: "GET", path: "/repos/7/pipelines/1", status: 200, body: { status: "done" } }),
    ).toEqual([expect.stringMatching(/\/status must be equal to one of the allowed values/)]);
    expect(woodpecker.checkResponse({ method: "GET", path: "/repos/7/pipelines/1", status: 201, body: {} })).toEqual([
      expect.stringMatching(/documents no such status/),
    ]);
  });

  it("match wildcard parameters that contain slashes", () => {
    expect(woodpecker.match("GET", "/repos/lookup/acme/billing")?.params).toEqual({ repo_full_name: "acme/billing" });
    expect(gitea.match("POST", "/repos/acme/b/contents/.woodpecker/ci.yaml")?.params).toEqual({
      owner: "acme",
      repo: "b",
      filepath: ".woodpecker/ci.yaml",
    });
  });
});
