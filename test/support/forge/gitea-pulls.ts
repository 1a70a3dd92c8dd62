import type { FakeRequest, FakeResponse } from "./contract-server.js";
import { accountJson, type FakeAccount, type FakeRepo, now } from "./gitea-json.js";
import type { GiteaState } from "./gitea-state.js";

/**
 * Pull requests and commit statuses of the fake Gitea, as Gitea 1.27 answers them: a pull request
 * between two branches of one repository (its head sha is the head branch's current commit, so a
 * push updates it), one open pull request per head and base (409 otherwise), and commit statuses
 * a CI posts per context, combined the way Gitea combines them.
 */

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  poster: FakeAccount;
  state: "open" | "closed";
  createdAt: string;
}

export type FakeStatusState = "pending" | "success" | "error" | "failure" | "warning" | "skipped";

export interface FakeStatus {
  id: number;
  context: string;
  state: FakeStatusState;
  description: string;
  targetUrl: string;
  creator: FakeAccount;
  createdAt: string;
}

/** Per repository: its pull requests and its statuses by commit. */
export class PullsState {
  readonly pulls = new Map<number, FakePull[]>();
  readonly statuses = new Map<string, FakeStatus[]>();

  of(repo: FakeRepo): FakePull[] {
    let list = this.pulls.get(repo.id);
    if (!list) {
      list = [];
      this.pulls.set(repo.id, list);
    }
    return list;
  }

  statusesOf(repo: FakeRepo, sha: string): FakeStatus[] {
    const key = `${repo.id}:${sha}`;
    let list = this.statuses.get(key);
    if (!list) {
      list = [];
      this.statuses.set(key, list);
    }
    return list;
  }
}

/** Gitea's combination: any failure or error fails, any pending is pending, else success (none: pending). */
export function combinedState(statuses: FakeStatus[]): FakeStatusState {
  const latest = new Map<string, FakeStatus>();
  for (const s of statuses) latest.set(s.context, s);
  const states = [...latest.values()].map((s) => s.state);
  if (states.some((s) => s === "error")) return "error";
  if (states.some((s) => s === "failure")) return "failure";
  if (!states.length || states.some((s) => s === "pending")) return "pending";
  if (states.some((s) => s === "warning")) return "warning";
  return "success";
}

async function pullJson(state: GiteaState, repo: FakeRepo, p: FakePull, login: string | undefined) {
  const base = state.base();
  const repoJson = state.repoJson(repo, login);
  const headSha = (await state.git.head(repo.owner.login, repo.name, p.head)) ?? "";
  const baseSha = (await state.git.head(repo.owner.login, repo.name, p.base)) ?? "";
  const branch = (ref: string, sha: string) => ({ label: ref, ref, sha, repo_id: repo.id, repo: repoJson });
  const html = `${base}/${repo.owner.login}/${repo.name}/pulls/${p.number}`;
  // Gitea sends null for an unset assignee, milestone, due date, merge: the spec types them as
  // objects and strings without null, so the fake leaves them out (codethread reads neither).
  return {
    id: repo.id * 1000 + p.number,
    url: html,
    number: p.number,
    user: accountJson(base, p.poster),
    title: p.title,
    body: p.body,
    labels: [],
    assignees: null,
    requested_reviewers: null,
    requested_reviewers_teams: null,
    state: p.state,
    draft: false,
    is_locked: false,
    comments: 0,
    review_comments: 0,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    mergeable: true,
    merged: false,
    allow_maintainer_edit: false,
    base: branch(p.base, baseSha),
    head: branch(p.head, headSha),
    merge_base: baseSha,
    created_at: p.createdAt,
    updated_at: p.createdAt,
    pin_order: 0,
  };
}

function statusJson(state: GiteaState, repo: FakeRepo, sha: string, s: FakeStatus) {
  return {
    id: s.id,
    status: s.state,
    target_url: s.targetUrl,
    description: s.description,
    url: `${state.base()}/api/v1/repos/${repo.owner.login}/${repo.name}/statuses/${sha}`,
    context: s.context,
    creator: accountJson(state.base(), s.creator),
    created_at: s.createdAt,
    updated_at: s.createdAt,
  };
}

const States: readonly FakeStatusState[] = ["pending", "success", "error", "failure", "warning", "skipped"];

/** Add a status as a CI does (POST /repos/{owner}/{repo}/statuses/{sha}). */
export function addStatus(
  state: GiteaState,
  pulls: PullsState,
  repo: FakeRepo,
  sha: string,
  me: FakeAccount,
  body: Record<string, unknown>,
): FakeResponse {
  const s = String(body.state ?? "");
  if (!States.includes(s as FakeStatusState)) return state.msg(`invalid state: ${s}`, 400);
  const status: FakeStatus = {
    id: state.nextId(),
    context: String(body.context ?? "default"),
    state: s as FakeStatusState,
    description: String(body.description ?? ""),
    targetUrl: String(body.target_url ?? ""),
    creator: me,
    createdAt: now(),
  };
  pulls.statusesOf(repo, sha).push(status);
  return { status: 201, json: statusJson(state, repo, sha, status) };
}

/** `/pulls…`, `/statuses/{sha}` and `/commits/{ref}/status(es)` of a repository; undefined: not one of these. */
export async function pullsRoute(
  state: GiteaState,
  pulls: PullsState,
  req: FakeRequest,
  me: FakeAccount,
  repo: FakeRepo,
  rest: string,
  body: Record<string, unknown>,
): Promise<FakeResponse | undefined> {
  const { method } = req;
  const owner = repo.owner.login;
  const canPush = state.perms(repo, me.login).push;
  if (rest === "/pulls" && method === "GET") {
    const wanted = req.query.get("state") ?? "open";
    const limit = Number(req.query.get("limit") ?? 30) || 30;
    const page = Number(req.query.get("page") ?? 1) || 1;
    const list = pulls
      .of(repo)
      .filter((p) => wanted === "all" || p.state === wanted)
      .slice((page - 1) * limit, page * limit);
    return { status: 200, json: await Promise.all(list.map((p) => pullJson(state, repo, p, me.login))) };
  }
  if (rest === "/pulls" && method === "POST") {
    if (!canPush) return state.msg("user should have a permission to write to a repo", 403);
    const head = String(body.head ?? "");
    const base = String(body.base ?? repo.defaultBranch);
    if (head.includes(":")) return state.msg("the fake serves pull requests within one repository only", 422);
    const headSha = await state.git.head(owner, repo.name, head);
    const baseSha = await state.git.head(owner, repo.name, base);
    if (!headSha || !baseSha) return state.notFound();
    if (head === base) return state.msg("Invalid PullRequest: There are no changes between the head and the base", 422);
    const open = pulls.of(repo).find((p) => p.state === "open" && p.head === head && p.base === base);
    if (open) {
      return state.msg(
        `pull request already exists for these targets [id: ${repo.id * 1000 + open.number}, issue_id: ${open.number}, head_repo_id: ${repo.id}, base_repo_id: ${repo.id}, head_branch: ${head}, base_branch: ${base}]`,
        409,
      );
    }
    const p: FakePull = {
      number: pulls.of(repo).length + 1,
      title: String(body.title ?? ""),
      body: String(body.body ?? ""),
      head,
      base,
      poster: me,
      state: "open",
      createdAt: now(),
    };
    pulls.of(repo).push(p);
    return { status: 201, json: await pullJson(state, repo, p, me.login) };
  }
  const one = /^\/pulls\/(\d+)$/.exec(rest);
  if (one && method === "GET") {
    const p = pulls.of(repo).find((x) => x.number === Number(one[1]));
    return p ? { status: 200, json: await pullJson(state, repo, p, me.login) } : state.notFound();
  }
  const post = /^\/statuses\/([0-9a-f]{7,64})$/.exec(rest);
  if (post && method === "POST") {
    if (!canPush) return state.msg("user should have a permission to write to a repo", 403);
    return addStatus(state, pulls, repo, post[1]!, me, body);
  }
  const combined = /^\/commits\/([^/]+)\/status(es)?$/.exec(rest);
  if (combined && method === "GET") {
    const ref = decodeURIComponent(combined[1]!);
    const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : await state.git.head(owner, repo.name, ref);
    if (!sha) return state.notFound();
    const list = [...pulls.statusesOf(repo, sha)].reverse();
    if (combined[2]) return { status: 200, json: list.map((s) => statusJson(state, repo, sha, s)) };
    const latest = [...new Map(list.reverse().map((s) => [s.context, s])).values()];
    return {
      status: 200,
      json: {
        state: combinedState(latest),
        sha,
        total_count: latest.length,
        statuses: latest.map((s) => statusJson(state, repo, sha, s)),
        repository: state.repoJson(repo, me.login),
        commit_url: `${state.base()}/api/v1/repos/${owner}/${repo.name}/git/commits/${sha}`,
        url: `${state.base()}/api/v1/repos/${owner}/${repo.name}/commits/${sha}/status`,
      },
    };
  }
  return undefined;
}
