import { CodethreadError } from "../../errors.js";
import { getProject, updateProject } from "../../store/projects.js";
import { ErrNotATemplate, ErrRepoNameTaken } from "../errors.js";
import type { Forge, ForgeRepo, NewRepo } from "../forge.js";
import { ErrConflict, ErrInvalidRequest, ErrNotFound } from "../service-errors.js";
import { renderTemplate, resolveTemplate, type TemplateSource } from "../templates/catalog.js";
import { ManagedTopic, type ProvisionContext } from "./context.js";

/** The operator's template repository is missing or invisible to the bot user. */
export class ErrTemplateRepoMissing extends CodethreadError {
  constructor(owner: string, repo: string, template: string) {
    super(
      "template_repo_missing",
      `Template "${template}" points at ${owner}/${repo}, which the bot user cannot see on the forge: check CODETHREAD_PROJECT_TEMPLATES and the bot user's access.`,
      { owner, repo, template },
    );
  }
}

/** The repository was made by codethread: its id is recorded for this project, or it carries the marker topic. */
function isOurs(ctx: ProvisionContext, repo: ForgeRepo): boolean {
  return ctx.project.repoId === repo.id || repo.topics.includes(ManagedTopic);
}

async function create(forge: Forge, source: TemplateSource, repo: NewRepo): Promise<ForgeRepo> {
  if (source.kind === "builtin") return forge.createRepo(repo);
  try {
    return await forge.generateRepo({ owner: source.owner, repo: source.repo }, repo);
  } catch (err) {
    if (err instanceof ErrInvalidRequest && /not a template/i.test(err.serverMessage)) {
      throw new ErrNotATemplate(source.owner, source.repo, source.name);
    }
    if (err instanceof ErrNotFound && /generate$/.test(err.call.path)) {
      throw new ErrTemplateRepoMissing(source.owner, source.repo, source.name);
    }
    throw err;
  }
}

/**
 * Step 1 on a forge: the repository exists with the template's content. An existing repository is
 * adopted only if codethread made it; otherwise the name is taken. Creating records the repository
 * id at once, then marks it with the `codethread` topic, so a re-run after any later failure adopts
 * it instead of failing on the name.
 */
export async function ensureForgeRepository(ctx: ProvisionContext, forge: Forge): Promise<ForgeRepo> {
  const { request, db } = ctx;
  const source = resolveTemplate(ctx.project.template, ctx.config.forge.templates);
  const owner = ctx.project.owner ?? request.org ?? ctx.config.forge.gitea?.owner ?? (await forge.whoami()).login;
  if (ctx.project.owner !== owner) await updateProject(db, ctx.project.name, { owner });
  ctx.project.owner = owner;

  let repo = await forge.getRepo(owner, ctx.project.name);
  let created = false;
  if (repo && !isOurs(ctx, repo)) throw new ErrRepoNameTaken(owner, ctx.project.name, repo.htmlUrl);
  if (!repo) {
    const input: NewRepo = {
      owner,
      name: ctx.project.name,
      description: ctx.project.description,
      private: request.private,
      defaultBranch: "main",
    };
    try {
      repo = await create(forge, source, input);
      created = true;
    } catch (err) {
      if (!(err instanceof ErrConflict)) throw err;
      // Made meanwhile (a double submit): adopt it if it is ours.
      repo = await forge.getRepo(owner, ctx.project.name);
      if (!repo || !isOurs(ctx, repo)) throw new ErrRepoNameTaken(owner, ctx.project.name, repo?.htmlUrl);
    }
    await updateProject(db, ctx.project.name, { repoId: repo.id });
    ctx.project.repoId = repo.id;
  }
  if (!repo.topics.includes(ManagedTopic)) {
    await forge.setTopics(owner, repo.name, [...repo.topics, ManagedTopic]);
    repo.topics = [...repo.topics, ManagedTopic];
  }
  if (repo.empty && source.kind === "builtin") {
    const files = renderTemplate(source, { name: repo.name, owner, description: ctx.project.description });
    await forge.commitFiles(owner, repo.name, {
      branch: repo.defaultBranch,
      message: `Start from codethread's ${source.name} template`,
      files,
    });
    repo = { ...repo, empty: false };
  }
  await updateProject(db, ctx.project.name, {
    repoUrl: repo.htmlUrl,
    cloneUrl: repo.cloneUrl,
    defaultBranch: repo.defaultBranch,
  });
  Object.assign(ctx.project, (await getProject(db, ctx.project.name)) ?? {});
  ctx.log.info(
    { project: ctx.project.name, repo: repo.fullName, created },
    created ? "repository created" : "repository adopted",
  );
  return repo;
}
