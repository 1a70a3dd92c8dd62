import type { Queryable } from "./database.js";

export type ProjectStatus = "provisioning" | "ready" | "needs_attention" | "failed";

export interface Project {
  name: string;
  template: string;
  description: string;
  location: "forge" | "local";
  owner: string | null;
  /** The forge repository's id, recorded as soon as codethread created it (proof it is ours). */
  repoId: number | null;
  repoUrl: string | null;
  cloneUrl: string | null;
  defaultBranch: string;
  ciRepoId: number | null;
  ciUrl: string | null;
  firstBuild: number | null;
  status: ProjectStatus;
  /** The last provisioning report of each step (rendered by the Slack card and the CLI). */
  steps: unknown[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

interface ProjectRow extends Record<string, unknown> {
  name: string;
  template: string;
  description: string;
  location: "forge" | "local";
  owner: string | null;
  repo_id: number | null;
  repo_url: string | null;
  clone_url: string | null;
  default_branch: string;
  ci_repo_id: number | null;
  ci_url: string | null;
  first_build: number | null;
  status: ProjectStatus;
  steps: unknown[];
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

function fromRow(r: ProjectRow): Project {
  return {
    name: r.name,
    template: r.template,
    description: r.description,
    location: r.location,
    owner: r.owner,
    repoId: r.repo_id,
    repoUrl: r.repo_url,
    cloneUrl: r.clone_url,
    defaultBranch: r.default_branch,
    ciRepoId: r.ci_repo_id,
    ciUrl: r.ci_url,
    firstBuild: r.first_build,
    status: r.status,
    steps: r.steps,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** By name, case-insensitively (forge names are). */
export async function getProject(db: Queryable, name: string): Promise<Project | undefined> {
  const { rows } = await db.query<ProjectRow>("SELECT * FROM projects WHERE lower(name) = lower($1)", [name]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function listProjects(db: Queryable): Promise<Project[]> {
  const { rows } = await db.query<ProjectRow>("SELECT * FROM projects ORDER BY lower(name)");
  return rows.map(fromRow);
}

/** Record the intent to create a project; an existing record (any case) is returned unchanged. */
export async function ensureProject(
  db: Queryable,
  input: Pick<Project, "name" | "template" | "description" | "location" | "owner" | "createdBy">,
): Promise<Project> {
  await db.query(
    `INSERT INTO projects (name, template, description, location, owner, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [input.name, input.template, input.description, input.location, input.owner, input.createdBy],
  );
  return (await getProject(db, input.name))!;
}

const columns = {
  owner: "owner",
  repoId: "repo_id",
  repoUrl: "repo_url",
  cloneUrl: "clone_url",
  defaultBranch: "default_branch",
  ciRepoId: "ci_repo_id",
  ciUrl: "ci_url",
  firstBuild: "first_build",
  status: "status",
  steps: "steps",
} as const;

export type ProjectPatch = Partial<Pick<Project, keyof typeof columns>>;

/** Set the given fields (the others are kept). */
export async function updateProject(db: Queryable, name: string, patch: ProjectPatch): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [name];
  for (const [key, column] of Object.entries(columns) as [keyof typeof columns, string][]) {
    if (!(key in patch)) continue;
    const value = patch[key];
    params.push(key === "steps" ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}${key === "steps" ? "::jsonb" : ""}`);
  }
  if (!sets.length) return;
  await db.query(`UPDATE projects SET ${sets.join(", ")}, updated_at = now() WHERE lower(name) = lower($1)`, params);
}

/** Forget a project record (only one nothing was created for). */
export async function deleteProject(db: Queryable, name: string): Promise<void> {
  await db.query("DELETE FROM projects WHERE lower(name) = lower($1)", [name]);
}
