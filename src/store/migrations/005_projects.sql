-- Projects: a repository (on the forge, or local) with its CI; and the Slack channels bound to them.
CREATE TABLE projects (
  name            text PRIMARY KEY,
  template        text NOT NULL,
  description     text NOT NULL DEFAULT '',
  location        text NOT NULL CHECK (location IN ('forge', 'local')),
  owner           text,                       -- forge user or organization
  repo_id         bigint,                     -- forge repository id (= Woodpecker forge_remote_id), once codethread made it
  repo_url        text,                       -- web page, or the local path
  clone_url       text,
  default_branch  text NOT NULL DEFAULT 'main',
  ci_repo_id      bigint,
  ci_url          text,
  first_build     integer,                    -- number of the first (manual) pipeline, once triggered
  status          text NOT NULL DEFAULT 'provisioning'
                  CHECK (status IN ('provisioning', 'ready', 'needs_attention', 'failed')),
  steps           jsonb NOT NULL DEFAULT '[]'::jsonb,  -- the last provisioning report of each step
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- Forge names are case-insensitive: Billing and billing are one project.
CREATE UNIQUE INDEX projects_name_ci ON projects (lower(name));

CREATE TABLE channel_projects (
  team_id     text NOT NULL,
  channel_id  text NOT NULL,
  project     text NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
  bound_by    text NOT NULL,
  bound_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, channel_id)
);
CREATE INDEX channel_projects_project ON channel_projects (project);
