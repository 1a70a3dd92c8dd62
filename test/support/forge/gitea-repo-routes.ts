import type { FakeRequest, FakeResponse } from "./contract-server.js";
import { type FakeAccount, type FakeRepo, filesResponseJson, hookJson, now } from "./gitea-json.js";
import type { GiteaState } from "./gitea-state.js";
import { applyTemplate, templateVariables } from "./template-expansion.js";

/** Repository operations of the fake Gitea, with the real servers' checks in their order. */

type Body = Record<string, unknown>;

function validName(state: GiteaState, name: unknown): FakeResponse | undefined {
  if (typeof name !== "string" || name === "") return state.msg("[Name]: Required", 422);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return state.msg("[Name]: AlphaDashDot", 422);
  if (name.length > 100) return state.msg("[Name]: MaxSize", 422);
  if (/\.git$|\.wiki$/i.test(name) || [".", ".."].includes(name))
    return state.msg(`name is reserved [name: ${name}]`, 422);
  return undefined;
}

const taken = (state: GiteaState) => state.msg("The repository with the same name already exists.", 409);

/** POST /user/repos and /orgs/{org}/repos. */
export async function createRepo(
  state: GiteaState,
  me: FakeAccount,
  owner: FakeAccount,
  body: Body,
): Promise<FakeResponse> {
  const invalid = validName(state, body.name);
  if (invalid) return invalid;
  const name = body.name as string;
  if (state.repo(owner.login, name)) return taken(state);
  const repo = await state.create(owner, {
    name,
    description: String(body.description ?? ""),
    private: Boolean(body.private),
    defaultBranch: String(body.default_branch ?? "main"),
  });
  if (body.auto_init) {
    const readme = { path: "README.md", content: Buffer.from(`# ${name}\n\n${repo.description}\n`) };
    await state.commit(repo, repo.defaultBranch, "Initial commit", [readme], me.login);
  }
  return { status: 201, json: state.repoJson(repo, me.login) };
}

/** POST /repos/{template_owner}/{template_repo}/generate. */
export async function generateRepo(
  state: GiteaState,
  me: FakeAccount,
  tOwner: string,
  tName: string,
  body: Body,
): Promise<FakeResponse> {
  const template = state.repo(decodeURIComponent(tOwner), decodeURIComponent(tName));
  if (!template || !state.perms(template, me.login).pull) return state.notFound();
  const owner = state.accounts.get(String(body.owner ?? ""));
  if (!owner) return { status: 404, json: { error: `request owner \`${String(body.owner)}\` does not exist` } };
  if (owner.login !== me.login && !me.isAdmin) {
    if (owner.kind === "user") return state.msg("Only admin can generate repository for other user.", 403);
    if (!state.isMember(owner.login, me.login))
      return state.msg("Given user is not allowed to create repository in organization.", 403);
  }
  const items = ["git_content", "topics", "git_hooks", "webhooks", "avatar", "labels", "protected_branch"];
  if (!items.some((k) => body[k] === true)) return state.msg("must select at least one template item", 422);
  if (!template.template) return state.msg("this is not a template repo", 422);
  const invalid = validName(state, body.name);
  if (invalid) return invalid;
  const name = body.name as string;
  if (state.repo(owner.login, name)) return taken(state);
  const repo = await state.create(owner, {
    name,
    description: String(body.description ?? ""),
    private: Boolean(body.private),
    defaultBranch: String(body.default_branch || template.defaultBranch),
  });
  if (body.topics) repo.topics = [...template.topics];
  if (body.git_content) {
    const files = await state.git.files(template.owner.login, template.name, template.defaultBranch);
    const vars = templateVariables({
      name,
      owner: owner.login,
      description: repo.description,
      link: `${state.base()}/${owner.login}/${name}`,
      templateName: template.name,
      templateOwner: template.owner.login,
    });
    const expanded = applyTemplate(files, vars);
    if (expanded.length) await state.commit(repo, repo.defaultBranch, "Initial commit", expanded, me.login);
  }
  return { status: 201, json: state.repoJson(repo, me.login) };
}

/** POST /repos/{owner}/{repo}/contents (ChangeFiles), `create` operations. */
async function changeFiles(state: GiteaState, repo: FakeRepo, me: FakeAccount, body: Body): Promise<FakeResponse> {
  const branch = String(body.branch || repo.defaultBranch);
  const owner = repo.owner.login;
  if (!repo.empty && !(await state.git.head(owner, repo.name, branch))) {
    return state.msg(`branch does not exist [name: ${branch}]`, 404);
  }
  const ops = (body.files ?? []) as { operation: string; path: string; content?: string }[];
  for (const op of ops) {
    if (op.operation !== "create") return state.msg(`the fake supports "create" only, not ${op.operation}`, 422);
    if (await state.git.blob(owner, repo.name, branch, op.path)) {
      return state.msg(`repository file already exists [path: ${op.path}]`, 422);
    }
  }
  const files = ops.map((op) => ({ path: op.path, content: Buffer.from(op.content ?? "", "base64") }));
  const message = String(body.message || `Add ${files.map((f) => f.path).join(", ")}`);
  const result = await state.commit(repo, branch, message, files, me.login);
  const json = filesResponseJson(
    state.base(),
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

/** /repos/{owner}/{repo}[/…] for a repository the caller can see. */
export async function repoRoute(
  state: GiteaState,
  req: FakeRequest,
  me: FakeAccount,
  repo: FakeRepo,
  rest: string,
  body: Body,
): Promise<FakeResponse> {
  const { method } = req;
  const perms = state.perms(repo, me.login);
  if (method === "GET" && rest === "") return { status: 200, json: state.repoJson(repo, me.login) };
  if (method === "GET" && rest === "/topics") return { status: 200, json: { topics: repo.topics } };
  if (method === "GET" && rest === "/hooks") return { status: 200, json: repo.hooks.map(hookJson) };
  if (method !== "GET" && !perms.push) return state.msg("user should have a permission to write to a repo", 403);
  if (method === "PATCH" && rest === "") {
    if (typeof body.template === "boolean") repo.template = body.template;
    if (typeof body.description === "string") repo.description = body.description;
    return { status: 200, json: state.repoJson(repo, me.login) };
  }
  if (method === "DELETE" && rest === "") {
    if (!perms.admin) return state.msg("Given user is not owner of organization.", 403);
    state.remove(repo);
    return { status: 204 };
  }
  if (method === "PUT" && rest === "/topics") {
    const topics = ((body.topics ?? []) as string[]).map((t) => t.trim().toLowerCase());
    const invalid = topics.filter((t) => !/^[a-z0-9][-.a-z0-9]*$/.test(t) || t.length > 35);
    if (invalid.length) return { status: 422, json: { invalidTopics: invalid, message: "Invalid topics" } };
    repo.topics = [...new Set(topics)];
    return { status: 204 };
  }
  if (method === "POST" && rest === "/hooks") {
    if (!perms.admin) return state.msg("Must be repo admin", 403);
    const hook = {
      id: state.nextId(),
      type: String(body.type),
      config: (body.config ?? {}) as Record<string, string>,
      events: (body.events ?? []) as string[],
      active: Boolean(body.active),
      createdAt: now(),
    };
    repo.hooks.push(hook);
    return { status: 201, json: hookJson(hook) };
  }
  if (method === "POST" && rest === "/contents") return changeFiles(state, repo, me, body);
  return state.notFound();
}
