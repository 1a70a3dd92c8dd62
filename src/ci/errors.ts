import { CodethreadError } from "../errors.js";

/** The repository exists and codethread cannot tell it created it: it never adopts someone else's. */
export class ErrRepoNameTaken extends CodethreadError {
  constructor(owner: string, name: string, url?: string) {
    super(
      "repo_name_taken",
      `${owner}/${name} already exists${url ? ` (${url})` : ""} and was not created by codethread: pick another name, or delete or rename that repository first.`,
      { owner, name, url },
    );
  }
}

/** The operator's template repository does not have Gitea's "template" flag. */
export class ErrNotATemplate extends CodethreadError {
  constructor(owner: string, repo: string, template: string) {
    super(
      "template_not_template",
      `${owner}/${repo} (template "${template}") is not a template repository: tick "Template repository" in its settings on the forge, or point CODETHREAD_PROJECT_TEMPLATES at another repository.`,
      { owner, repo, template },
    );
  }
}

/** A template name that is neither built in nor mapped by the operator. */
export class ErrUnknownTemplate extends CodethreadError {
  constructor(name: string, known: string[]) {
    super(
      "template_unknown",
      `There is no template "${name}": use one of ${known.join(", ")}, or map it to a template repository in CODETHREAD_PROJECT_TEMPLATES.`,
      { name, known },
    );
  }
}

/** An operator template needs a forge: without one only built-in templates exist. */
export class ErrTemplateNeedsForge extends CodethreadError {
  constructor(name: string) {
    super(
      "template_needs_forge",
      `Template "${name}" is a repository on the forge, and no forge is configured: set GITEA_URL and GITEA_TOKEN (README, "Connect Gitea and Woodpecker"), or use the node or go template.`,
      { name },
    );
  }
}

/** Woodpecker before 2.0 speaks another API (owner/name routes, `builds`). */
export class ErrCiVersionUnsupported extends CodethreadError {
  constructor(baseUrl: string, version: string) {
    super(
      "woodpecker_version_unsupported",
      `Woodpecker at ${baseUrl} is version ${version}; codethread needs Woodpecker 2.0 or later (its repository, pipeline and secret API): upgrade the server, or unset WOODPECKER_URL.`,
      { baseUrl, version },
    );
  }
}

/** Woodpecker keeps a stale row with the same full name (≥ 3.14): an admin must remove it. */
export class ErrCiStaleRepo extends CodethreadError {
  constructor(fullName: string, text: string) {
    super(
      "woodpecker_stale_repo",
      `Woodpecker already has a stale entry for ${fullName} (${text}): an admin must remove it (Woodpecker → the repository → Settings → Delete), then run this again.`,
      { fullName, body: text },
    );
  }
}

/** A name that cannot be a repository (Gitea: alphanumerics, dash, underscore, dot; at most 100). */
export class ErrInvalidProjectName extends CodethreadError {
  constructor(name: string) {
    super(
      "project_name_invalid",
      `"${name.slice(0, 100)}" cannot be a project name: use letters, digits, "-", "_" and "." (at most 100, not ending in .git).`,
      { name: name.slice(0, 100) },
    );
  }
}

/** `build` or `use` named a project codethread does not know. */
export class ErrUnknownProject extends CodethreadError {
  constructor(name: string) {
    super(
      "project_unknown",
      `There is no project "${name}": create it with \`/agent project new ${name}\`, or see \`/agent project list\`.`,
      { name },
    );
  }
}

/** `build` without a project in a channel bound to none. */
export class ErrNoProjectForChannel extends CodethreadError {
  constructor() {
    super(
      "project_not_bound",
      "This channel has no project: name one (`/agent build NAME`), or bind one with `/agent project use NAME`.",
    );
  }
}

/** The project has no CI to build with (local project, or Woodpecker not configured or activated). */
export class ErrProjectHasNoCi extends CodethreadError {
  constructor(name: string, why: string) {
    super("project_no_ci", `Project ${name} cannot be built: ${why}`, { name });
  }
}
